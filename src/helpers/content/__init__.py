"""The content-performance report: articles at the same age, what works, when to publish, followers,
reading to buying, mini-program pages and outlying articles."""
