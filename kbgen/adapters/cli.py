"""The ``kbgen`` command: validate the data, build the site, write schemas and starter files,
import an old knowledge base."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..data.data_folder import load_kb
from ..data.errors import DataError, Problem, format_github, format_json, format_text, sort_problems
from ..data.translations import Translations, complete_pages, load_translations
from ..data.yaml_reader import PARSER_NOTE

FORMATS = {"text": format_text, "github": format_github, "json": format_json}

# What `kbgen --help` shows: plain words (the module docstring is reST, with backticks).
DESCRIPTION = ("kbgen turns the YAML in data/ into an email help center: it validates the data, "
               "builds the site, and writes the editors' schemas and starter files.")
EPILOG = ("examples: kbgen validate | kbgen new client thunderbird | kbgen build. "
          "Run kbgen COMMAND --help for a command's options.")


def _validate(args: argparse.Namespace) -> int:
    root = Path(args.root).resolve()
    if PARSER_NOTE:
        print(f"kbgen: note: {PARSER_NOTE}", file=sys.stderr)
    problems: list[Problem] = []
    translations: Translations | None = None
    try:
        kb = load_kb(root, args.data)
        problems = sort_problems(kb.warnings)
        # Every language's words, checked against the facts just loaded.
        translations = load_translations(root, kb, args.data)
        problems = sort_problems([*problems, *translations.warnings])
        failed = bool(problems) and args.strict
    except DataError as err:
        problems = sort_problems([*problems, *err.problems])  # the source's warnings too
        failed, kb = True, None
    _print_problems(problems, args.format)
    if args.format == "json":  # machine-readable: stdout holds the JSON list and nothing else
        return 1 if failed else 0
    # In a GitHub log the summary goes to stderr, so stdout stays pure workflow commands.
    summary_out = sys.stdout if args.format == "text" else sys.stderr
    if kb is not None:
        extra = f", {len(problems)} warning(s)" if problems else ""
        print(f"kbgen: data is valid: {len(kb.entries)} articles, {len(kb.categories)} "
              f"categories, {len(kb.protocols)} protocols{extra}", file=summary_out)
        for lang in translations.languages if translations is not None else []:
            assert translations is not None
            pages = complete_pages(kb, translations, lang, args.data)
            print(f"kbgen: {lang}: {len(pages)} of {len(kb.categories) + len(kb.entries)} pages "
                  "translated", file=summary_out)
        if failed:
            print(f"kbgen: {len(problems)} warning(s), and --strict fails on warnings",
                  file=sys.stderr)
    else:
        errors = sum(1 for p in problems if p.severity.value == "error")
        warnings = len(problems) - errors
        extra = f" and {warnings} warning(s)" if warnings else ""
        print(f"kbgen: {errors} error(s){extra} in the data", file=sys.stderr)
    return 1 if failed else 0


def _print_problems(problems: list[Problem], fmt: str, command: str = "validate") -> None:
    """JSON alone on stdout; GitHub workflow commands on stdout (GitHub reads them there),
    with the whole list on the step summary; text on stderr, where people read problems."""
    output = FORMATS[fmt](problems)
    if fmt == "json":
        print(output)
        return
    if output:
        print(output, file=sys.stdout if fmt == "github" else sys.stderr)
    if fmt == "github":
        _step_summary(problems, command)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0, e.g. 10")
    return value


def _verify(args: argparse.Namespace) -> int:
    import ssl

    from ..verify.account import PASSWORD_VARIABLE, Account
    from ..verify.net import ConnectTo
    from ..verify.published_dns import Nameserver
    from ..verify.report import verify

    root = Path(args.root).resolve()
    try:
        connect_to = [ConnectTo.parse(text) for text in args.connect_to]
        nameserver = Nameserver.parse(args.nameserver) if args.nameserver is not None else None
        account = None
        if args.account is not None:
            account = Account.parse(args.account, os.environ.get(PASSWORD_VARIABLE))
    except ValueError as err:
        print(f"kbgen: {err}", file=sys.stderr)
        return 2
    try:
        kb = load_kb(root, args.data)
    except DataError as err:
        _print_problems(err.problems, args.format)
        print("kbgen: the data has errors; fix them (kbgen validate) before checking the servers",
              file=sys.stderr)
        return 1
    domain = args.domain or kb.provider.domain
    try:
        report = verify(kb, domain, connect_to, args.cafile, args.timeout, args.deadline,
                        dns=args.dns or nameserver is not None, nameserver=nameserver,
                        account=account)
    except (OSError, ssl.SSLError) as err:  # only --cafile is read before the servers
        print(f"kbgen: --cafile {args.cafile}: cannot use it as CA certificates ({err})",
              file=sys.stderr)
        return 2
    _print_problems(report.problems, args.format, "verify")
    print(report.summary(), file=sys.stdout if args.format == "text" else sys.stderr)
    return report.status


def _step_summary(problems: list[Problem], command: str) -> None:
    """The whole list on the run's summary page: GitHub shows only the first ten
    annotations of each kind on the diff."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target or not problems:
        return

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = [f"| {'⚠️ warning' if p.severity.value == 'warning' else '❌ error'} | "
            f"`{cell(p.file)}:{p.line}:{p.col}` | {f'`{cell(p.path)}`' if p.path else ''} | "
            f"{cell(p.message)}{cell(f' ({p.hint})') if p.hint else ''} |" for p in problems]
    with open(target, "a", encoding="utf-8") as out:
        out.write(f"### kbgen {command}\n\n| | where | field | problem |\n|---|---|---|---|\n")
        out.write("\n".join(rows) + "\n")


def _schema(args: argparse.Namespace) -> int:
    from ..data.schema import stale_schemas, write_schemas

    root = Path(args.root).resolve()
    if args.check:
        stale = stale_schemas(root)
        for path in stale:
            print(f"kbgen: {path.relative_to(root).as_posix()} is out of date with the model",
                  file=sys.stderr)
        if stale:
            print("kbgen: run `kbgen schema` and commit the result", file=sys.stderr)
            return 1
        print("kbgen: the schemas match the model")
        return 0
    changed = write_schemas(root)
    for path in changed:
        print(f"kbgen: wrote {path.relative_to(root).as_posix()}")
    if not changed:
        print("kbgen: the schemas were already up to date")
    return 0


def _new(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, new

    root = Path(args.root).resolve()
    if args.kind == "translation":
        return _new_translation(root, args)
    if args.page is not None:
        print(f"kbgen: unexpected '{args.page}': kbgen new {args.kind} takes one id",
              file=sys.stderr)
        return 1
    try:
        written = new(root, args.kind, args.id, data_dir=args.data, title=args.title,
                      category=args.category, parent=args.parent)
    except ScaffoldError as err:
        print(f"kbgen: {err}", file=sys.stderr)
        return 1
    shown = written.path.relative_to(root).as_posix()
    if written.created:
        print(f"kbgen: wrote {shown}")
    else:
        print(f"kbgen: added '{args.id}' at the end of {shown}")
    print("next: fill it in, run `kbgen validate`, and preview it with `make serve`")
    return 0


def _new_translation(root: Path, args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, new_translation

    try:
        written = new_translation(root, args.id, args.page, data_dir=args.data)
    except ScaffoldError as err:
        print(f"kbgen: {err}", file=sys.stderr)
        return 1
    for item in written:
        print(f"kbgen: wrote {item.path.relative_to(root).as_posix()}")
    print("next: write each text under its source text, and run `kbgen validate`: it names "
          "what is left, and the page is published in the language once nothing is")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .build import BuildError, build_site

    root = Path(args.root).resolve()
    try:
        load_kb(root, args.data)
    except DataError as err:
        print(format_text(err.problems), file=sys.stderr)
        print("kbgen: the data has errors; the published site was left as it was",
              file=sys.stderr)
        return 1
    try:
        status = build_site(root, args.site_dir, strict=not args.no_strict)
    except BuildError as err:
        print(err, file=sys.stderr)
        return 1
    if status != 0:
        print("kbgen: the build failed; the published site was left as it was", file=sys.stderr)
        return 1
    print(f"kbgen: built {root / args.site_dir}")
    return 0


def _import_whmcs(args: argparse.Namespace) -> int:
    from ..importers.errors import ImportFailure
    from ..importers.whmcs_import import run_import
    from ..importers.whmcs_plan import Options
    from ..importers.whmcs_source import read_dump, read_mysql
    from .build import build_lock, publish

    root = Path(args.root).resolve()
    options = Options(keep_duplicates=args.keep_duplicates, force=args.force,
                      whmcs_url=args.whmcs_url, data_dir=args.data)
    try:
        source = read_dump(Path(args.dump), args.dump) if args.dump else read_mysql(args.db)
        data = Path(os.path.abspath(root / args.data))
        with build_lock(data, what="import"):
            outcome = run_import(root, source, options, publish=publish)
    except OSError as err:
        print(f"kbgen: could not write the import: {err.strerror or err}"
              + (f" ({err.filename})" if err.filename else ""), file=sys.stderr)
        print(f"kbgen: nothing was imported; {args.data}/ was left as it was", file=sys.stderr)
        return 1
    except ImportFailure as err:
        print(f"kbgen: {err}", file=sys.stderr)
        print(f"kbgen: nothing was imported; {args.data}/ was left as it was", file=sys.stderr)
        return 1
    except DataError as err:
        print(format_text(err.problems), file=sys.stderr)
        print(f"kbgen: the data would not be valid after the import; nothing was imported and "
              f"{args.data}/ was left as it was", file=sys.stderr)
        return 1
    for warning in outcome.warnings:
        print(warning, file=sys.stderr)
    for message in outcome.plan.warnings:
        print(f"kbgen: warning: {message}", file=sys.stderr)
    print(outcome.summary())
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(Path(args.root).resolve(), args.host, args.port, verify=args.verify)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kbgen", description=DESCRIPTION, epilog=EPILOG)
    top.add_argument("--root", default=".", help="project folder (holds mkdocs.yml and data/)")
    top.add_argument("--data", default="data", help="data folder, relative to --root")
    sub = top.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check every data file and report all problems")
    validate.add_argument("--format", choices=sorted(FORMATS), default="text")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(func=_validate)

    schema = sub.add_parser("schema", help="write schemas/<kind>.schema.json for editors")
    schema.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the committed schemas differ from the model")
    schema.set_defaults(func=_schema)

    from .scaffold import KINDS_NEW

    new = sub.add_parser("new", help="write a commented starter data file (never overwrites)",
                         description="Write a starter data file that validates and builds as it "
                         "is. client, article, protocol and category need an id; provider, "
                         "categories and troubleshooting are single files, written if missing. "
                         "translation <language> <page> writes the texts of a data file to "
                         "translate, e.g. kbgen new translation de clients/thunderbird.")
    new.add_argument("kind", choices=KINDS_NEW)
    new.add_argument("id", nargs="?", help="the new id: lowercase letters, digits, hyphens "
                     "(translation: the language, e.g. de)")
    new.add_argument("page", nargs="?", help="translation: the file to translate, e.g. "
                     "clients/thunderbird (left out: every file not translated yet)")
    new.add_argument("--title", help="the title (default: made from the id)")
    new.add_argument("--category", help="article/client: the category id it belongs in")
    new.add_argument("--parent", help="category: the category it sits under (default: top level)")
    new.set_defaults(func=_new)

    importer = sub.add_parser("import", help="bring an old knowledge base into data/")
    sources = importer.add_subparsers(dest="source", required=True)
    whmcs = sources.add_parser(
        "whmcs", help="import a WHMCS knowledge base (articles, categories, old URLs)",
        description="Import the knowledge base of WHMCS 7/8 into data/: one article file per "
        "article, the categories, old ids for 301 redirects, tags and view/vote counts. The "
        "result is validated before anything is moved into data/; files that differ from the "
        "import are kept unless --force; a second run changes nothing. The report is written "
        "to imports/whmcs/import-report.md.")
    given = whmcs.add_mutually_exclusive_group(required=True)
    given.add_argument("--dump", metavar="FILE", help="a mysqldump of the tblknowledgebase* tables")
    given.add_argument("--db", metavar="URL", help="read-only: mysql://USER@HOST/DATABASE "
                       "(?unix_socket=/path for a socket; the password from the URL or MYSQL_PWD)")
    whmcs.add_argument("--keep-duplicates", action="store_true",
                       help="also import articles that duplicate a generated page")
    whmcs.add_argument("--force", action="store_true",
                       help="replace imported files even if they were edited since")
    whmcs.add_argument("--whmcs-url", metavar="URL",
                       help="the old WHMCS address (https://billing.example.com/): relative links "
                       "and pictures in articles point there")
    whmcs.set_defaults(func=_import_whmcs)

    check = sub.add_parser(
        "verify", help="check the data's mail servers against the live servers",
        description="Connect to every server endpoint of data/provider.yml and check what the "
        "data says of it: implicit TLS or STARTTLS, a certificate valid for the host name "
        "readers type and not expiring within 21 days, no password login before TLS, the "
        "sign-in mechanisms 'authentication' implies, and SMTP refusing mail without a login "
        "when smtp_auth_required says so. Each difference is reported at the fact it "
        "contradicts. Nothing is sent unless --account asks for one message to itself.",
        epilog="exit status: 0 the servers do what the data says; 1 a server contradicts the "
        "data (or the data has errors); 2 a server could not be reached or did not answer in "
        "time (or the command line is wrong). "
        "example: kbgen verify --connect-to mail.example.com:993:staging.example.net:993")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--connect-to", action="append", default=[], metavar="HOST:PORT:ADDRESS:PORT",
                       help="as curl's: reach the data's HOST:PORT at ADDRESS:PORT, keeping HOST "
                       "for TLS (repeatable; an empty HOST or PORT matches any)")
    check.add_argument("--cafile", metavar="PATH", help="also trust the CA certificates in PATH "
                       "(PEM), e.g. a staging server's private CA")
    check.add_argument("--domain", metavar="DOMAIN", help="a customer domain for mail.{domain} "
                       "hosts (default: the provider's domain)")
    check.add_argument("--timeout", type=_seconds, default=10.0, metavar="SECONDS",
                       help="the longest wait for any one answer (default 10)")
    check.add_argument("--deadline", type=_seconds, default=120.0, metavar="SECONDS",
                       help="the longest the whole check may take (default 120)")
    check.add_argument("--dns", action="store_true",
                       help="also ask DNS for the records the DNS article lists (MX, SPF, DKIM, "
                       "DMARC, autoconfig, Autodiscover, SRV) at --domain and compare them")
    check.add_argument("--nameserver", metavar="ADDRESS[:PORT]",
                       help="ask this DNS server instead of the system's resolver (implies --dns)")
    check.add_argument("--account", metavar="ADDRESS",
                       help="also sign in as ADDRESS on every endpoint (password from the "
                       "environment variable KBGEN_VERIFY_PASSWORD) and send one message to "
                       "itself by SMTP, found again (and deleted) by IMAP and POP3")
    check.set_defaults(func=_verify)

    build = sub.add_parser("build", help="validate, then build the site atomically")
    build.add_argument("--site-dir", default="site")
    build.add_argument("--no-strict", action="store_true", help="do not fail on warnings")
    build.set_defaults(func=_build)

    preview = sub.add_parser("serve", help="preview the site; a saved data file updates the pages "
                             "it affects, with the production headers",
                             description="Build the site in memory and serve it on a local port "
                             "with the headers Netlify sends (the Content-Security-Policy "
                             "included). Saving a data file re-renders only the pages it "
                             "affects, and open pages reload themselves.")
    preview.add_argument("--host", default="127.0.0.1")
    preview.add_argument("--port", type=int, default=8000)
    preview.add_argument("--verify", action="store_true",
                         help="after each update, also build the whole site from scratch and "
                         "report every file that differs (slower; for checking the preview)")
    preview.set_defaults(func=_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
