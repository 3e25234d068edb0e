"""The hotline / walk-in desk (登记诉求): operators and dispatchers register calls and visits."""
