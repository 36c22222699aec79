"""WeChat's own statistics: `wxreport fetch` (datacube APIs -> DIR/raw/) and their conversion into
contract tables (convert*.py). Imports only core and itself."""
