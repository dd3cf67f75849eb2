"""The HTTP face: the loopback server, the checks every request passes, its plain answers."""
