// WebSocketWire: sans-IO RFC 6455 / 7692.
