"""`kbgen import whmcs --db`: the live path against a real MariaDB server, started by the test.

The server runs from a data folder and a socket in a temporary folder (no network,
no system service); the fixture dump is loaded into it with the mariadb client, and
the import through PyMySQL must write byte for byte what the dump path writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from kbgen.adapters.cli import main

from ..conftest import ROOT, copy_project

pytestmark = pytest.mark.slow

FIXTURE = ROOT / "tests" / "fixtures" / "whmcs" / "kb.sql"
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db")
CLIENT = shutil.which("mariadb")
PASSWORD = "read only, @:/#?"  # characters a URL must escape


def _client(socket: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "MYSQL_PWD"}  # root has no password here
    result = subprocess.run([str(CLIENT), "--no-defaults", "-S", str(socket), "-u", "root", *args],
                            input=stdin, capture_output=True, check=False, timeout=120, env=env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode()


@pytest.fixture(scope="module")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private MariaDB server holding the fixture in the database `whmcs`; yields its socket."""
    if not (Path(MARIADBD).is_file() and INSTALL_DB and CLIENT):
        pytest.fail("MariaDB is not installed: run scripts/setup (it installs Debian's mariadb-server)")
    base = tmp_path_factory.mktemp("mariadb")
    data, socket, log = base / "data", base / "mysqld.sock", base / "error.log"
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    setup = subprocess.run([INSTALL_DB, "--no-defaults", f"--datadir={data}", "--skip-test-db",
                            "--auth-root-authentication-method=normal", *as_root],
                           capture_output=True, text=True, check=False, timeout=300)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    server = subprocess.Popen(
        [MARIADBD, "--no-defaults", f"--datadir={data}", f"--socket={socket}", "--skip-networking",
         f"--pid-file={base / 'mysqld.pid'}", f"--log-error={log}", "--innodb-buffer-pool-size=16M",
         "--skip-log-bin", *as_root],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not socket.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("mariadbd did not start:\n" + (log.read_text() if log.exists() else ""))
            time.sleep(0.2)
        _client(socket, "-e", "CREATE DATABASE whmcs CHARACTER SET utf8mb4; "
                f"CREATE USER 'kb'@'localhost' IDENTIFIED BY '{PASSWORD}'; "
                "GRANT SELECT ON whmcs.* TO 'kb'@'localhost';")
        _client(socket, "whmcs", stdin=FIXTURE.read_bytes())
        yield socket
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _files(root: Path) -> dict[str, bytes]:
    out = {}
    for folder in ("data", "imports"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def test_the_live_database_gives_the_same_files_as_the_dump(
        mariadb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checksums = _client(mariadb, "whmcs", "-e", "CHECKSUM TABLE tblknowledgebase, tblknowledgebasecats, "
                        "tblknowledgebaselinks, tblknowledgebasetags")
    from_dump = copy_project(tmp_path / "dump")
    assert main(["--root", str(from_dump), "import", "whmcs", "--dump", str(FIXTURE)]) == 0
    from_db = copy_project(tmp_path / "db")
    url = f"mysql://kb:{quote(PASSWORD, safe='')}@localhost/whmcs?unix_socket={mariadb}"
    capsys.readouterr()
    assert main(["--root", str(from_db), "import", "whmcs", "--db", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("kbgen: imported from WHMCS: 22 articles, 10 categories"), out
    dump_files, db_files = _files(from_dump), _files(from_db)
    report = "imports/whmcs/import-report.md"
    assert "Source: `mysql://kb@localhost/whmcs`" in db_files[report].decode()
    assert PASSWORD not in db_files[report].decode()
    for files in (dump_files, db_files):
        text = files[report].decode()
        kept = [line for line in text.splitlines() if not line.startswith("Source:")]
        files[report] = "\n".join(kept).encode()
    assert sorted(db_files) == sorted(dump_files)
    for name, data in dump_files.items():
        assert db_files[name] == data, name
    # Reading changed nothing in the help desk.
    assert _client(mariadb, "whmcs", "-e", "CHECKSUM TABLE tblknowledgebase, tblknowledgebasecats, "
                   "tblknowledgebaselinks, tblknowledgebasetags") == checksums


def test_the_password_can_come_from_mysql_pwd_and_errors_are_clear(
        mariadb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path / "project")
    monkeypatch.setenv("MYSQL_PWD", PASSWORD)
    assert main(["--root", str(root), "import", "whmcs", "--db",
                 f"mysql://kb@localhost/whmcs?unix_socket={mariadb}"]) == 0
    monkeypatch.setenv("MYSQL_PWD", "wrong")
    capsys.readouterr()
    assert main(["--root", str(root), "import", "whmcs", "--db",
                 f"mysql://kb@localhost/whmcs?unix_socket={mariadb}"]) == 1
    err = capsys.readouterr().err
    assert ("kbgen: cannot connect to mysql://kb@localhost/whmcs: Access denied for user "
            "'kb'@'localhost'") in err
    assert "Traceback" not in err
    _client(mariadb, "-e", "CREATE DATABASE IF NOT EXISTS shop; GRANT SELECT ON shop.* TO 'kb'@'localhost';")
    _client(mariadb, "shop", "-e", "CREATE TABLE IF NOT EXISTS tblclients (id int)")
    monkeypatch.setenv("MYSQL_PWD", PASSWORD)
    assert main(["--root", str(root), "import", "whmcs", "--db",
                 f"mysql://kb@localhost/shop?unix_socket={mariadb}"]) == 1
    assert ("mysql://kb@localhost/shop: this database holds no WHMCS knowledge base (no tblknowledgebase "
            "table); it has tblclients") in capsys.readouterr().err
