"""`littrack search`: add, list, show, edit, pause, resume, remove; and the seeded search."""

from __future__ import annotations

import datetime as dt
import json

from littrack.tracking.searches import format_every, parse_every


def rows(invoke, url: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    result = invoke(url, "search", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_add_list_show(invoke, db_url: str) -> None:
    added = invoke(db_url, "search", "add", "trd", "--query", '  polygenic   AND "treatment-resistant depression" ',
                   "--every", "1d")
    assert added.exit_code == 0 and added.stdout == ""
    assert "added search trd (every 1d); `littrack refresh trd` fetches it now" in added.stderr
    invoke(db_url, "search", "add", "weekly", "--query", "x")
    listed = rows(invoke, db_url)
    assert [(r["name"], r["every"], r["paused"], r["last_status"], r["next_due"], r["papers"]) for r in listed] == [
        ("trd", "1d", False, None, "now", 0), ("weekly", "7d", False, None, "now", 0)]
    assert listed[0]["query"] == 'polygenic AND "treatment-resistant depression"'
    table = invoke(db_url, "search", "list")
    assert table.stdout.splitlines()[0].split()[:3] == ["NAME", "EVERY", "PAUSED"] and "never run" in table.stdout
    shown = invoke(db_url, "search", "show", "trd")
    assert shown.stdout.startswith('trd: polygenic AND "treatment-resistant depression"')
    assert "no runs yet: `littrack refresh trd`" in shown.stdout
    record = json.loads(invoke(db_url, "search", "show", "trd", "--format", "json").stdout)
    assert record["runs"] == [] and record["every"] == "1d"


def test_add_refuses_bad_input(invoke, db_url: str) -> None:
    invoke(db_url, "search", "add", "trd", "--query", "x")
    again = invoke(db_url, "search", "add", "trd", "--query", "y")
    assert again.exit_code == 1 and "a saved search named 'trd' exists: change it with `littrack search edit trd`" in again.stderr
    assert "give a number and a unit h, d or w" in invoke(db_url, "search", "add", "a", "--query", "x", "--every", "weekly").stderr
    assert "--query is empty" in invoke(db_url, "search", "add", "b", "--query", "   ").stderr
    assert "no spaces" in invoke(db_url, "search", "add", "two words", "--query", "x").stderr
    assert [r["name"] for r in rows(invoke, db_url)] == ["trd"]


def test_edit_pause_resume_remove(invoke, db_url: str) -> None:
    invoke(db_url, "search", "add", "trd", "--query", "x")
    assert invoke(db_url, "search", "edit", "trd", "--every", "30d", "--name", "trd2").exit_code == 0
    assert [(r["name"], r["every"]) for r in rows(invoke, db_url)] == [("trd2", "30d")]
    nothing = invoke(db_url, "search", "edit", "trd2")
    assert nothing.exit_code == 1 and "nothing to change" in nothing.stderr
    assert invoke(db_url, "search", "pause", "trd2").exit_code == 0
    assert rows(invoke, db_url)[0]["paused"] is True and rows(invoke, db_url)[0]["next_due"] == "paused"
    assert invoke(db_url, "search", "resume", "trd2").exit_code == 0
    assert rows(invoke, db_url)[0]["paused"] is False
    missing = invoke(db_url, "search", "pause", "trd")
    assert missing.exit_code == 1 and "unknown saved search 'trd'; nearest: trd2" in missing.stderr
    removed = invoke(db_url, "search", "remove", "trd2")
    assert removed.exit_code == 0 and "removed search trd2 (0 run(s), 0 hit(s)); its papers stay" in removed.stderr
    assert rows(invoke, db_url) == []
    assert "no saved searches: add one" in invoke(db_url, "search", "list").stderr


def test_new_query_forgets_the_watermark(invoke, db_url: str) -> None:
    from sqlalchemy import update

    from littrack.db import make_engine
    from littrack.models import SavedSearch

    invoke(db_url, "search", "add", "trd", "--query", "x")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(SavedSearch).values(watermark=dt.date(2025, 1, 1)))
    engine.dispose()
    same = invoke(db_url, "search", "edit", "trd", "--query", "x")
    assert "watermark" not in same.stderr and rows(invoke, db_url)[0]["watermark"] == "2025-01-01"
    edited = invoke(db_url, "search", "edit", "trd", "--query", "y")
    assert "query changed: watermark 2025-01-01 cleared" in edited.stderr
    assert rows(invoke, db_url)[0]["watermark"] is None


def test_intervals() -> None:
    assert [parse_every(x) for x in ("1d", "7d", "30d", "12h", "2w", " 3D ")] == [
        86400, 604800, 2592000, 43200, 1209600, 259200]
    assert [format_every(s) for s in (86400, 604800, 2592000, 43200, 90)] == ["1d", "7d", "30d", "12h", "90s"]


def test_init_adds_the_seeded_search_once(invoke, empty_db_url: str) -> None:
    assert invoke(empty_db_url, "init").exit_code == 0
    seeded = rows(invoke, empty_db_url)
    assert [(r["name"], r["every"]) for r in seeded] == [("pgs-trd", "7d")]
    query = seeded[0]["query"].lower()
    assert "polygenic" in query and "treatment-resistant depression" in query
    invoke(empty_db_url, "search", "edit", "pgs-trd", "--every", "1d")
    assert invoke(empty_db_url, "init").exit_code == 0  # a user's change is kept
    assert [(r["name"], r["every"]) for r in rows(invoke, empty_db_url)] == [("pgs-trd", "1d")]


def test_help_lists_the_commands(invoke, db_url: str) -> None:
    out = invoke(db_url, "--help").stdout
    assert all(f"  {name} " in out for name in ("search", "refresh", "papers"))
    assert "--due" in invoke(db_url, "refresh", "--help").stdout
