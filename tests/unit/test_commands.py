"""The command table's `-o table` view."""

from azext_acrhealth.commands import MESSAGE_WIDTH, table


def test_table_rows_cut_long_messages_and_show_seconds_with_two_decimals():
    result = {"checks": [{"title": "Challenge endpoint", "status": "failed", "durationSeconds": 1.23456,
                          "code": "CONNECTIVITY_CHALLENGE_ERROR", "message": "x" * 300},
                         {"title": "Clock", "status": "passed", "durationSeconds": 0, "code": None, "message": "ok"}]}
    rows = table(result)
    assert rows[0]["Message"] == "x" * (MESSAGE_WIDTH - 1) + "…" and rows[0]["Seconds"] == "1.23"
    assert rows[1] == {"Check": "Clock", "Status": "passed", "Seconds": "0.00", "Code": "", "Message": "ok"}
    assert table({"unexpected": True}) == [] and table(None) == []
