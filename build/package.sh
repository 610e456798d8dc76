#!/usr/bin/env bash
# Builds dist/aiwisper (one file) and dist/aiwisper-dir/ (one folder) with PyInstaller, and the Debian package
# dist/aiwisper_<version>_amd64.deb from the one-folder build; reports sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY -m pip install --quiet "pyinstaller>=6.10"
for mode in 0 1; do
  ONEFILE=$mode $PY -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/work/pyi-$mode build/aiwisper.spec
done
$PY build/linux/deb.py dist
du -sh dist/aiwisper dist/aiwisper-dir dist/aiwisper_*.deb
echo "largest parts of the one-dir build:"
du -a dist/aiwisper-dir/_internal | sort -rn | sed -n 1,15p
