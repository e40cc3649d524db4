"""``python -m claimcheck``: the ``claimcheck`` command, for an environment whose scripts are not on PATH."""

from claimcheck.launch import run

# Worker processes re-import the main module under another name: only the process the user
# started runs the CLI.
if __name__ == "__main__":
    run()
