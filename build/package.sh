#!/usr/bin/env bash
# Builds dist/aiwisper-dir/ (one folder) with PyInstaller, dist/aiwisper (one file: a launcher with that folder
# appended), and the Debian package
# dist/aiwisper_<version>_amd64.deb from the one-folder build, the notes model beside them and in its own .deb;
# reports sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY -m pip install --quiet "pyinstaller>=6.10"
# Python modules stored, not deflated, in the program's archive: the one-file binary's xz stream compresses them
# better (3 MB less)
PYINSTALLER_ZLIB_COMPRESSION_LEVEL=0 ONEFILE=0 $PY -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/work/pyi-0 build/aiwisper.spec
# the one-file binary: a small launcher with the one-folder build appended, unpacked once (build/launcher.c)
$PY build/onefile.py dist/aiwisper-dir dist/aiwisper build/work/launcher
# The notes model is not inside the binaries (every start would unpack it again): it goes beside them, in
# models/, where the app looks; the .deb ships it as its own package (aiwisper-notes-model).
for beside in dist/models dist/aiwisper-dir/models; do
  mkdir -p $beside && cp models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf $beside/
done
$PY build/linux/deb.py dist
du -sh dist/aiwisper dist/aiwisper-dir dist/aiwisper_*.deb dist/aiwisper-notes-model_*.deb
echo "largest parts of the one-dir build:"
du -a dist/aiwisper-dir/_internal | sort -rn | sed -n 1,15p
