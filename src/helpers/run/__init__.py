"""The runner behind `wxreport run`: plan (validate everything) -> execute (papermill, in parallel)
-> render (nbconvert) -> publish (atomic renames) -> index. Modules: jobs, plan, cache, execute,
pool, workspace (the out folder's lock and staging)."""
