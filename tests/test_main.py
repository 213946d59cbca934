"""`python -m derivlab`, the quick start's main job: the seeds' examples with error bars."""

import re

from derivlab._tour import main


def test_main_job_prints_seed_numbers_and_honest_errors(capsys):
    main()
    out = capsys.readouterr().out
    for seed_value in ("6.000000000012662", "66.50150507518049", "4.000010000027032",
                       "7.999999999990237", "15.000000010019221", "32.00000000006753"):
        assert seed_value in out
    assert "6494.0390917" in out and "9990.8293718" in out and "6415.0377667" in out
    # every derivlab row: its reported error bounds its true error
    for err, true in re.findall(r"\+/- (\S+)\s+true error (\S+)", out):
        assert float(true) <= float(err)
    assert "Traceback" not in out
