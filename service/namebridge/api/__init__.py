"""The gRPC transport: servicer, server, typed client, proto conversion, logs, metrics."""
