from aiwisper.cli import main

raise SystemExit(main())
