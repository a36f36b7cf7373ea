"""Bad input: each a ReadFailure keyed like a record, one line, every other record still read."""

from __future__ import annotations

import json
import struct
import tracemalloc
import zipfile
from pathlib import Path

from normalizer.records import ReadFailure, read_records
from normalizer.records.synth import write_zip

from .records_util import read_all, study

GOOD = "Inclusion Criteria:\n* Age >= 18 years\n"


def one_line(failures: list[ReadFailure]) -> None:
    for f in failures:
        assert "\n" not in str(f) and "Traceback" not in str(f)


def jsonl(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


def test_a_malformed_jsonl_line_fails_alone(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "s.jsonl", [
        json.dumps(study("NCT00000001")), '{"protocolSection": {"identificationModule": ',
        json.dumps(study("NCT00000003"))])
    records, failures = read_all(path)
    assert [r.info.id for r in records] == ["NCT00000001", "NCT00000003"]
    assert [r.info.origin.line for r in records] == [1, 3]
    (bad,) = failures
    assert bad.where == f"{path}:2" and "malformed JSON" in bad.message
    one_line(failures)


def test_a_malformed_json_file_and_non_utf8(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"protocolSection": {"x": 1,}}', encoding="utf-8")
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps(study("NCT00000004", "Âge ≥ 18"), ensure_ascii=False).encode()
                      .replace("Â".encode(), b"\xc2\xff"))
    lines = jsonl(tmp_path / "l.jsonl", [json.dumps(study("NCT00000005")).encode() + b"\xff"])
    records, failures = read_all(broken, latin, lines, tmp_path / "missing.json")
    assert records == []
    assert [f.where for f in failures] == [str(broken), str(latin), f"{lines}:1",
                                           str(tmp_path / "missing.json")]
    assert "malformed JSON" in failures[0].message
    assert "not valid UTF-8 (byte 0xc2 at offset" in failures[1].message
    assert "not valid UTF-8" in failures[2].message
    assert failures[3].message == "no such file"
    one_line(failures)


def test_not_a_study_and_fields_of_the_wrong_type(tmp_path: Path) -> None:
    number = study("NCT00000011", criteria=42)
    conditions = study("NCT00000012")
    conditions["protocolSection"]["conditionsModule"]["conditions"] = "Asthma"
    sex = study("NCT00000013", sex="EVERYONE")
    module = study("NCT00000014")
    module["protocolSection"]["eligibilityModule"] = ["not", "an", "object"]
    surrogate = study("NCT00000015", criteria="Age \ud800 18")
    page = {"studies": [study("NCT00000010"), {"derivedSection": {}}, number, conditions, sex,
                        module, surrogate, "a string", study("NCT00000016")]}
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    records, failures = read_all(path)
    assert [r.info.id for r in records] == ["NCT00000010", "NCT00000016"]
    assert [r.info.origin.index for r in records] == [0, 8]
    by_where = {f.where: f.message for f in failures}
    assert list(by_where) == [f"{path}#{i}" for i in range(1, 8)]
    assert "no protocolSection" in by_where[f"{path}#1"]
    assert by_where[f"{path}#2"] == (
        "NCT00000011: eligibilityModule.eligibilityCriteria is a number, not a string")
    assert by_where[f"{path}#3"] == (
        "NCT00000012: conditionsModule.conditions is a string, not a list of strings")
    assert "NCT00000013" in by_where[f"{path}#4"] and "'EVERYONE'" in by_where[f"{path}#4"]
    assert "eligibilityModule is a list, not an object" in by_where[f"{path}#5"]
    assert "NCT00000015" in by_where[f"{path}#6"] and "surrogate" in by_where[f"{path}#6"]
    assert "not a string" in by_where[f"{path}#7"] or "JSON object" in by_where[f"{path}#7"]
    one_line(failures)


def test_a_study_without_criteria_text_is_a_document_with_a_note(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "s.jsonl", [json.dumps(study("NCT00000020", criteria=None)),
                                        json.dumps(study("NCT00000021", criteria="  \n"))])
    records, failures = read_all(path)
    assert failures == []
    assert [r.text for r in records] == [None, None]
    assert "missing" in (records[0].info.note or "") and "empty" in (records[1].info.note or "")


def big_page(path: Path, n: int, size: int) -> Path:
    """A compact search page of ``n`` studies of about ``size`` bytes each, written streaming."""
    filler = "x" * max(0, size - 300)
    with open(path, "wb") as out:
        out.write(b'{"studies": [')
        for i in range(n):
            s = study(f"NCT{i:08d}", criteria=GOOD + "\\ \"quoted\" {not a brace} " + filler)
            out.write((b"," if i else b"") + json.dumps(s).encode())
        out.write(b'], "totalCount": 1, "nextPageToken": "abc"}')
    return path


def test_a_100_mb_search_page_is_streamed_within_the_limit(tmp_path: Path) -> None:
    path = big_page(tmp_path / "huge.json", 2_000, 50_000)
    assert path.stat().st_size > 100_000_000
    tracemalloc.start()
    try:
        count = 0
        last = None
        for item in read_records([str(path)]):
            assert not isinstance(item, ReadFailure), item
            count += 1
            last = item
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 2_000 and last is not None
    assert last.source == f"{path}#1999" and last.info.nct_id == "NCT00001999"
    assert last.text is not None and last.text.startswith(GOOD + '\\ "quoted" {not a brace}')
    assert peak < 20_000_000, f"peak {peak:,} bytes: the page was not streamed"


def test_a_large_page_with_an_oversized_and_a_malformed_study(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    ok = json.dumps(study("NCT00000031", criteria=GOOD + "y" * 400_000))
    huge = json.dumps(study("NCT00000032", criteria="z" * 1_200_000))
    bad = '{"protocolSection": {"identificationModule": {"nctId": NCT00000033}}}'
    path.write_text('{"studies": [' + ",".join([ok, huge, bad, ok]) + "]}", encoding="utf-8")
    records, failures = read_all(path)
    assert [r.source for r in records] == [f"{path}#0", f"{path}#3"]
    assert [f.where for f in failures] == [f"{path}#1", f"{path}#2"]
    assert "larger than the 1,000,000-byte limit" in failures[0].message
    assert "malformed JSON" in failures[1].message
    one_line(failures)


def test_a_large_document_that_is_not_a_page_or_is_truncated(tmp_path: Path) -> None:
    single = tmp_path / "single.json"
    single.write_text(json.dumps(study("NCT00000041", criteria="a" * 1_500_000)), encoding="utf-8")
    cut = big_page(tmp_path / "cut.json", 60, 50_000)
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    records, failures = read_all(single, cut)
    assert failures[0].where == str(single)
    assert "no 'studies' array" in failures[0].message and "limit" in failures[0].message
    assert 20 <= len(records) < 60
    assert failures[-1].where == f"{cut}#{len(records)}" and "truncated" in failures[-1].message
    one_line(failures)


def test_a_truncated_or_corrupt_zip(tmp_path: Path) -> None:
    studies = [study(f"NCT{i:08d}") for i in range(5)]
    whole = write_zip(tmp_path / "whole.zip", studies)
    data = whole.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    records, failures = read_all(cut)
    assert records == [] and failures[0].where == str(cut)
    assert "not a readable zip" in failures[0].message
    # flip bytes in the second member's compressed data: that member fails alone
    with zipfile.ZipFile(whole) as z:
        second = z.infolist()[1]
    start = second.header_offset + 30 + len(second.filename) + 5
    spoiled = bytearray(data)
    spoiled[start : start + 8] = b"\x00\xff" * 4
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(spoiled))
    records, failures = read_all(bad)
    assert [r.info.id for r in records] == ["NCT00000000", "NCT00000002", "NCT00000003",
                                            "NCT00000004"]
    assert [f.where for f in failures] == [f"{bad}:NCT00000001.json"]
    assert "corrupt member" in failures[0].message
    one_line(failures)


def _lie_about_size(path: Path, claimed: int) -> None:
    """Rewrite every uncompressed-size field of a one-member zip to ``claimed``."""
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = struct.pack("<I", claimed)
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", claimed)
    path.write_bytes(bytes(data))


def test_zip_bombs_are_capped_on_the_bytes_actually_decompressed(tmp_path: Path) -> None:
    honest = tmp_path / "honest.zip"
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("NCT00000001.json", b" " * 20_000_000)  # 20 MB of spaces, ~20 kB zipped
        z.writestr("NCT00000002.json", json.dumps(study("NCT00000002")))
    liar = tmp_path / "liar.zip"
    with zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("NCT00000003.json", b" " * 20_000_000)
    _lie_about_size(liar, 1_000)
    many = write_zip(tmp_path / "many.zip", [study(f"NCT{i:08d}") for i in range(40)])
    tracemalloc.start()
    try:
        records, failures = read_all(honest, liar)
        capped, over = read_all(many, max_zip_bytes=10_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.info.id for r in records] == ["NCT00000002"]
    assert failures[0].where == f"{honest}:NCT00000001.json"
    assert "larger than the 1,000,000-byte limit" in failures[0].message
    assert failures[1].where == f"{liar}:NCT00000003.json"
    assert failures[1].message.startswith("corrupt member (BadZipFile: Bad CRC-32")
    assert 0 < len(capped) < 40 and len(over) == 1
    assert "more than 10,000 bytes" in over[0].message and over[0].where.startswith(f"{many}:")
    assert peak < 30_000_000, f"peak {peak:,} bytes"
    one_line(failures + over)


def test_other_zip_members_and_an_empty_zip(tmp_path: Path) -> None:
    path = tmp_path / "mixed.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a/NCT00000001.json", json.dumps(study("NCT00000001")))
        z.writestr("a/notes.pdf", b"%PDF")
        z.writestr("b/studies.jsonl", json.dumps(study("NCT00000002")) + "\n{oops\n")
        z.writestr("c/plain.txt", GOOD)
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    records, failures = read_all(path, empty)
    assert [r.source for r in records] == [
        f"{path}:a/NCT00000001.json", f"{path}:b/studies.jsonl:1", f"{path}:c/plain.txt"]
    assert records[2].text == GOOD
    assert [f.where for f in failures] == [f"{path}:a/notes.pdf", f"{path}:b/studies.jsonl:2",
                                           str(empty)]


def test_bad_list_files_and_empty_directories(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    listing = tmp_path / "list.txt"
    listing.write_bytes(
        f"# inputs\n{good}\n\n".encode() + b"\xff\n" + f"{tmp_path}/none.txt\n".encode())
    (tmp_path / "empty").mkdir()
    records, failures = read_all(f"@{listing}", f"@{tmp_path}/nolist.txt", tmp_path / "empty")
    assert [r.source for r in records] == [str(good)]
    assert [f.where for f in failures] == [f"@{listing}:4", f"{tmp_path}/none.txt",
                                           f"@{tmp_path}/nolist.txt", str(tmp_path / "empty")]
    assert "directory with no files matching --glob '*'" in failures[-1].message
