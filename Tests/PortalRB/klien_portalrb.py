#!/usr/bin/env python3
"""A PortalRB client written from "Panduan Teknis API Integrasi ZI" 1.0.0 alone (standard
library only), as KemenPANRB would call an agency: it fetches the WBK and WBBM lists and every
listed unit's answers with a bearer token over HTTPS, checks each body against the guide's shapes,
and tries what the guide says must fail (no token, a wrong token, a bad tahun, an unknown unit).
It prints what it received as one JSON document for the test that runs it; exit 1 on any
departure from the guide."""

import argparse
import json
import ssl
import sys
import urllib.error
import urllib.request


def fail(message):
    print("departs from the guide: " + message, file=sys.stderr)
    sys.exit(1)


class Client:
    def __init__(self, base, token, ca):
        self.base = base.rstrip("/")
        self.token = token
        self.context = ssl.create_default_context(cafile=ca)

    def get(self, path, token=None):
        """(status, body as JSON, headers) of GET base+path with the bearer token (or none)."""
        request = urllib.request.Request(self.base + path, method="GET")
        if token is not False:
            request.add_header("Authorization", "Bearer " + (token or self.token))
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as r:
                return r.status, json.loads(r.read().decode("utf-8")), dict(r.headers)
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8")
            try:
                parsed = json.loads(body)
            except ValueError:
                fail("%s answered %d with a body that is not JSON: %r" % (path, e.code, body[:200]))
            return e.code, parsed, dict(e.headers)


def check_error(path, status, body, expected):
    if status != expected:
        fail("%s: status %d, expected %d (%s)" % (path, status, expected, body))
    if not (isinstance(body, dict) and body.get("error") is True and isinstance(body.get("code"), str)
            and isinstance(body.get("message"), str)):
        fail("%s: the error body is not {error: true, code, message}: %s" % (path, body))


def check_list(path, body, kategori):
    if not isinstance(body, dict) or not isinstance(body.get("tahun"), int) or not isinstance(body.get("units"), list):
        fail("%s: not {tahun: int, units: [...]}: %s" % (path, body))
    for u in body["units"]:
        if not isinstance(u.get("id"), str) or not u["id"] or not isinstance(u.get("nama"), str) or not u["nama"]:
            fail("%s: a unit without id or nama: %s" % (path, u))
        if u.get("kategori") not in kategori or not isinstance(u.get("afirmasi", False), bool):
            fail("%s: kategori %r / afirmasi %r" % (path, u.get("kategori"), u.get("afirmasi")))


def check_answers(path, body, unit_id):
    if body.get("unit_id") != unit_id or not isinstance(body.get("nama_unit"), str) or not isinstance(body.get("tahun"), int):
        fail("%s: header fields: %s" % (path, {k: v for k, v in body.items() if k != "answers"}))
    seen = set()
    for a in body.get("answers", []):
        if not isinstance(a.get("soal_id"), int) or isinstance(a.get("soal_id"), bool):
            fail("%s: soal_id is not an integer: %s" % (path, a))
        if a["soal_id"] in seen:
            fail("%s: soal %d twice" % (path, a["soal_id"]))
        seen.add(a["soal_id"])
        if "jawaban_unit" not in a:
            fail("%s: soal %d has no jawaban_unit (required, string or null)" % (path, a["soal_id"]))
        for field in ["jawaban_unit", "jawaban_tpi", "catatan_unit", "bukti_dukung_unit", "catatan_tpi"]:
            if field in a and a[field] is not None and not isinstance(a[field], str):
                fail("%s: soal %d %s is neither string nor null: %r" % (path, a["soal_id"], field, a[field]))
    return seen


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--tahun", type=int)
    a = p.parse_args()
    c = Client(a.base, a.token, a.ca)
    q = "?tahun=%d" % a.tahun if a.tahun else ""
    out = {"units": {}, "answers": {}, "errors": {}}
    for route, kategori in [("/pengusulan/unit-wbk", ("WBK", "WBK-AFIRMASI")), ("/pengusulan/unit-wbbm", ("WBBM",))]:
        status, body, _ = c.get(route + q)
        if status != 200:
            fail("%s answered %d: %s" % (route, status, body))
        check_list(route, body, kategori)
        out["units"][route] = body["units"]
        for u in body["units"]:
            path = "/lke/jawaban-unit/" + u["id"] + q
            status, answers, _ = c.get(path)
            if status != 200:
                fail("%s answered %d: %s" % (path, status, answers))
            check_answers(path, answers, u["id"])
            out["answers"][u["id"]] = answers
    # What must fail, as the guide says.
    status, body, _ = c.get("/pengusulan/unit-wbk", token=False)
    check_error("no token", status, body, 401)
    status, body, _ = c.get("/pengusulan/unit-wbk", token="zrb_salah")
    check_error("a wrong token", status, body, 401)
    status, body, _ = c.get("/pengusulan/unit-wbk?tahun=dua-ribu")
    check_error("a bad tahun", status, body, 422)
    status, body, _ = c.get("/lke/jawaban-unit/99.99" + q)
    check_error("an unknown unit", status, body, 404)
    out["errors"] = "as the guide says"
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
