"""What an operator sees of the running service: Prometheus metrics, request ids and log lines."""
