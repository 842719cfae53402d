"""Memory Lab page: run memory strategies over benchmark datasets and compare them."""
