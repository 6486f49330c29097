"""Build, publish and serve the warehouse; the ``dxwh`` command line."""
