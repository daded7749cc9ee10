"""`kaohe users ...` and the first administrator made by `kaohe init`: passwords from stdin or asked twice,
never an argument; refusals in words in the command's language; nothing written on a refusal."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from kaohe.auth import accounts
from kaohe.cli import main
from kaohe.data import accounts as store
from kaohe.data.warehouse import Warehouse

PW = "correct horse battery"


def run(capsys, monkeypatch, *argv, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path, capsys, monkeypatch):
    path = str(tmp_path / "u.duckdb")
    monkeypatch.setenv("KAOHE_USER", "cli-admin")
    assert run(capsys, monkeypatch, "init", "--db", path, "--no-sample")[0] == 0
    return path


def test_init_makes_the_first_admin_once_and_says_how_to_sign_in(tmp_path, capsys, monkeypatch):
    path = str(tmp_path / "first.duckdb")
    code, out, _ = run(capsys, monkeypatch, "init", "--db", path, "--no-sample")
    assert code == 0 and "已创建第一个管理员账号" in out and "登录名：admin" in out
    password = re.search(r"密码：(\S+)", out).group(1)
    assert len(password) >= 10 and "kaohe users reset-password admin" in out and "http://" in out
    assert accounts.sign_in(Warehouse(path), "admin", password).role == "admin"
    code, out, _ = run(capsys, monkeypatch, "--lang", "en", "init", "--db", path, "--no-sample")
    assert code == 0 and "Created the first administrator" not in out and password not in out
    assert "Sign in to the dashboard with your account" in out and "kaohe users reset-password LOGIN" in out


def test_add_list_disable_enable_reset(db, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "users", "add", "ld1", "--role", "leader", "--name", "李领导",
                       "--password-stdin", "--db", db, stdin=PW + "\n")
    assert code == 0 and out.strip() == "已添加账号 ld1（领导）。"
    wh = Warehouse(db)
    assert accounts.sign_in(wh, "ld1", PW).name == "李领导"
    assert store.get(wh, "ld1")["created_by"] == "cli-admin"
    code, out, _ = run(capsys, monkeypatch, "users", "list", "--db", db)
    assert code == 0 and re.search(r"ld1\s+李领导\s+领导\s+启用", out) and "argon2" not in out
    code, out, _ = run(capsys, monkeypatch, "--lang", "en", "users", "disable", "ld1", "--db", db)
    assert code == 0 and out.strip() == "Disabled the account ld1; its sessions have ended."
    code, out, _ = run(capsys, monkeypatch, "--lang", "en", "users", "list", "--db", db)
    assert re.search(r"ld1\s+李领导\s+leader\s+disabled", out)
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(wh, "ld1", PW)
    assert run(capsys, monkeypatch, "users", "enable", "ld1", "--db", db)[0] == 0
    code, out, _ = run(capsys, monkeypatch, "users", "reset-password", "ld1", "--password-stdin", "--db", db,
                       stdin="another long password\n")
    assert code == 0 and "已重置 ld1 的密码" in out
    assert accounts.sign_in(wh, "ld1", "another long password").login == "ld1"
    actions = list(wh.audit_log()["action"])
    assert {"account.add", "account.disable", "account.enable", "account.reset_password"} <= set(actions)
    log = wh.audit_log()
    assert set(log[log["action"].str.startswith("account.")]["actor"]) == {"cli-admin"}


def test_the_password_is_asked_twice_at_the_terminal(db, capsys, monkeypatch):
    from kaohe.cli.commands import users

    answers = iter([PW, PW, PW, "something else!"])
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": next(answers))
    assert run(capsys, monkeypatch, "users", "add", "ld2", "--role", "leader", "--db", db)[0] == 0
    code, _, err = run(capsys, monkeypatch, "users", "add", "ld3", "--role", "leader", "--db", db)
    assert code == 2 and "两次输入的密码不一致" in err
    assert store.get(Warehouse(db), "ld3") is None


def test_no_option_takes_a_password(db, capsys, monkeypatch):
    with pytest.raises(SystemExit):
        main(["users", "add", "x", "--role", "leader", "--password", PW, "--db", db])


@pytest.mark.parametrize(("argv", "stdin", "words"), [
    (["users", "add", "ev", "--role", "evaluator"], PW, "error: An evaluator's account needs at least one source"),
    (["users", "add", "ev", "--role", "evaluator", "--source", "110"], PW, "The catalogue names no such source: 110"),
    (["users", "add", "u", "--role", "unit", "--unit", "NOPE"], PW, "no unit with the code \"NOPE\""),
    (["users", "add", "x", "--role", "boss"], PW, "There is no role \"boss\""),
    (["users", "add", "x", "--role", "leader"], "short", "at least 10 characters"),
    (["users", "add", "admin", "--role", "leader"], PW, "The login \"admin\" is already taken"),
    (["users", "disable", "ghost"], "", "There is no account with the login \"ghost\""),
    (["users", "reset-password", "ghost", "--password-stdin"], PW, "There is no account with the login \"ghost\""),
])
def test_refusals_are_one_line_in_words_and_change_nothing(db, capsys, monkeypatch, argv, stdin, words):
    wh = Warehouse(db)
    before = len(wh.audit_log())
    code, out, err = run(capsys, monkeypatch, "--lang", "en", *argv, "--password-stdin" if argv[1] == "add" else "--db",
                         *(["--db"] if argv[1] == "add" else []), db, stdin=stdin + "\n")
    assert code == 1 and words in err and "The warehouse was not changed." in err, err
    assert len(wh.audit_log()) == before


def test_the_users_command_runs_as_a_program(db):
    done = subprocess.run([sys.executable, "-m", "kaohe.cli", "--lang", "en", "users", "add", "sub1", "--role",
                           "leader", "--password-stdin", "--db", db], input=PW + "\n", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Added the account sub1 (leader)." in done.stdout
