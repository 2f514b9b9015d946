"""The ``kbgen`` command: validate the data, build the site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import DataError, Problem, format_github, format_json, format_text, sort_problems
from .kb import load_kb

FORMATS = {"text": format_text, "github": format_github, "json": format_json}


def _validate(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve()
    problems: list[Problem]
    try:
        kb = load_kb(root, args.data)
        problems = sort_problems(kb.warnings)
        failed = bool(problems) and args.strict
    except DataError as err:
        problems, failed, kb = err.problems, True, None
    output = FORMATS[args.format](problems)
    if args.format == "json":
        print(output)
    elif output:
        print(output, file=sys.stdout if args.format == "github" else sys.stderr)
    if args.format == "text":
        if kb is not None:
            extra = f", {len(problems)} warning(s)" if problems else ""
            print(f"kbgen: data is valid: {len(kb.entries)} articles, {len(kb.categories)} "
                  f"categories, {len(kb.protocols)} protocols{extra}")
            if failed:
                print(f"kbgen: {len(problems)} warning(s), and --strict fails on warnings",
                      file=sys.stderr)
        else:
            errors = sum(1 for p in problems if p.severity.value == "error")
            warnings = len(problems) - errors
            extra = f" and {warnings} warning(s)" if warnings else ""
            print(f"kbgen: {errors} error(s){extra} in the data", file=sys.stderr)
    return 1 if failed else 0


def _build(args: argparse.Namespace) -> int:
    from .build import build_site

    root = Path(args.root).resolve()
    try:
        load_kb(root, args.data)
    except DataError as err:
        print(format_text(err.problems), file=sys.stderr)
        print("kbgen: the data has errors; the published site was left as it was",
              file=sys.stderr)
        return 1
    status = build_site(root, args.site_dir, strict=not args.no_strict)
    if status != 0:
        print("kbgen: the build failed; the published site was left as it was", file=sys.stderr)
        return 1
    print(f"kbgen: built {root / args.site_dir}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kbgen", description=__doc__)
    top.add_argument("--root", default=".", help="project folder (holds mkdocs.yml and data/)")
    top.add_argument("--data", default="data", help="data folder, relative to --root")
    sub = top.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check every data file and report all problems")
    validate.add_argument("--format", choices=sorted(FORMATS), default="text")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(func=_validate)

    build = sub.add_parser("build", help="validate, then build the site atomically")
    build.add_argument("--site-dir", default="site")
    build.add_argument("--no-strict", action="store_true", help="do not fail on warnings")
    build.set_defaults(func=_build)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
