"""The submission portal: unit clerks upload their reports in a browser and see at once whether
they count; the provincial office sees who reported and manages access.

An application on the top layer: it uses ``ingest`` (the same checks as ``dxwh check``, the
template writer, the registry) and reads ``warehouse`` outputs read-only; nothing below imports it.
"""
