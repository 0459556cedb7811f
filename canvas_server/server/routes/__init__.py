"""HTTP and WebSocket routes, one router module per resource."""
