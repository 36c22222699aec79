"""The merchant-performance report (S2B2C): sales by merchant, concentration, the merchants'
lifecycle and retention, the customers they bring, and distributor chains."""
