"""Run Ralph's LRS app with its file-system store appending (run by .venv-ralph's Python).

Ralph 5.1.0's file-system LRS backend writes with operation CREATE, which refuses every
POST after the first (the statements file exists by then); APPEND is what an LRS on one
file needs. Nothing else of Ralph is changed. Usage: ralph_server.py HOST PORT
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="warning")
