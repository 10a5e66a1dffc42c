// Transport: TCP + TLS + WebSocket connection shell.
