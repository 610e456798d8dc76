"""The frozen app's entry point: the worker process starts through freeze_support."""

import multiprocessing
import sys

from aiwisper.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
