"""Programs the doctor runs inside the target's venv (or poetry's Python), never imported by
noxpit: each is run as ``python [-I] probes/<name>.py '<json>'`` and prints one
``NOXPIT-JSON:`` line. The interpreter is the target's, so they use only the standard
library and run on Python 3.8 and later."""
