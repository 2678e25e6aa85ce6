#!/usr/bin/env python3
"""Halaman kerja ZI in a real browser: headless Chromium over WebDriver (selenium).

Starts its own deployment (a province 32 and its kab/kota 32.17, real `zisync daemon`
processes on 127.0.0.1 with mutual TLS between them), then does the ZI cycle as people do it:
log in, add a rencana aksi, upload a 5 MB bukti dukung and see it listed, answer an LKE
question and see the area's score change, the province's penilai reviews the plan from the
province's own web app and the review reaches the kab/kota after a sync, log out. Saves a
screenshot of each page under --out (and --docs when given).

Run by the Swift test `BrowserTests` (inside a network namespace whose only route is
loopback when it can make one); by hand:
    python3 Tests/Browser/halaman_kerja.py --zisync .build/debug/zisync --out /tmp/shots
"""
import argparse
import errno
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

PASSWORD = "kata-sandi-uji"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


class Node:
    def __init__(self, zisync, root, satker):
        self.zisync = zisync
        self.home = os.path.join(root, "node-" + satker)
        self.satker = satker
        self.process = None
        self.listen = None
        self.web = None

    def run(self, *args, stdin=None, check=True):
        r = subprocess.run([self.zisync, *args, "--home", self.home], input=stdin, capture_output=True, text=True,
                           timeout=120)
        if check and r.returncode != 0:
            fail("zisync %s: %s" % (" ".join(args), r.stderr))
        return r

    def start(self):
        out = open(self.home + ".out", "w")
        err = open(self.home + ".err", "w")
        self.process = subprocess.Popen([self.zisync, "daemon", "--home", self.home], stdout=out, stderr=err)
        deadline = time.time() + 30
        while time.time() < deadline:
            text = open(self.home + ".out").read()
            for line in text.splitlines():
                if line.startswith("listening on "):
                    self.listen = "https://" + line[len("listening on "):]
                if line.startswith("web on "):
                    self.web = line[len("web on "):]
            if self.web:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        fail("daemon of %s did not start: %s" % (self.satker, open(self.home + ".err").read()))

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 that drops the connection once, when `cut_after` bytes have gone
    up through it (the office Wi-Fi failing mid-upload), and forwards everything else."""

    def __init__(self, target_port, cut_after):
        self.target = target_port
        self.cut_after = cut_after
        self.upstream = 0
        self.cuts = 0
        self.lock = threading.Lock()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self.pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, False), daemon=True).start()

    def pump(self, source, sink, up):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if up:
                    with self.lock:
                        self.upstream += len(data)
                        cut = self.cuts == 0 and self.upstream >= self.cut_after
                        if cut:
                            self.cuts += 1
                    if cut:
                        for s in (source, sink):
                            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                            s.close()
                        return
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.listener.close()


def offline_check():
    """With no route but loopback, nothing outside this machine can be reached."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(("1.1.1.1", 80))
    except OSError as e:
        return e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL)
    finally:
        s.close()
    return False


class Browser:
    def __init__(self, shots):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--window-size=1366,768", "--lang=id-ID", "--no-first-run", "--disable-extensions",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]:
            options.add_argument(a)
        service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(60)
        self.shots = shots
        self.wait = WebDriverWait(self.driver, 60)

    def open(self, url):
        self.driver.get(url)

    def text(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def has_text(self, text):
        return text in self.driver.find_element(By.TAG_NAME, "body").text

    def body_has(self, text):
        try:
            return text in self.driver.find_element(By.TAG_NAME, "body").text
        except Exception:  # the page is being replaced: ask again
            return False

    def expect_text(self, text, what):
        try:
            self.wait.until(lambda d: self.body_has(text))
        except Exception:
            fail("%s: '%s' not on %s\n%s" % (what, text, self.driver.current_url,
                                              self.driver.find_element(By.TAG_NAME, "body").text[:2000]))

    def shot(self, name, full=True):
        """The page as far down as it goes (up to 2400 px), at the window's width."""
        size = self.driver.get_window_size()
        if full:
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(size["width"], max(size["height"], min(int(height) + 120, 2400)))
        for d in self.shots:
            os.makedirs(d, exist_ok=True)
            self.driver.save_screenshot(os.path.join(d, name + ".png"))
        if full:
            self.driver.set_window_size(size["width"], size["height"])

    def login(self, base, name):
        self.open(base + "/")
        self.wait.until(EC.presence_of_element_located((By.ID, "nama")))
        self.driver.find_element(By.ID, "nama").send_keys(name)
        self.driver.find_element(By.ID, "sandi").send_keys(PASSWORD)
        self.driver.find_element(By.ID, "masuk").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "keluar")))

    def click(self, css):
        """Scrolls an element to the middle of the window (clear of the sticky header) and clicks it."""
        element = self.driver.find_element(By.CSS_SELECTOR, css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()

    def type(self, css, text):
        element = self.driver.find_element(By.CSS_SELECTOR, css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.send_keys(text)

    def logout(self):
        self.driver.find_element(By.ID, "keluar").click()
        self.wait.until(EC.presence_of_element_located((By.ID, "nama")))

    def quit(self):
        self.driver.quit()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--zisync", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--docs")
    p.add_argument("--offline", action="store_true", help="require that only loopback is reachable")
    a = p.parse_args()
    if a.offline and not offline_check():
        fail("--offline: an address outside this machine is reachable")
    shots = [a.out] + ([a.docs] if a.docs else [])
    root = tempfile.mkdtemp(prefix="zisync-browser-")
    nodes = []
    browser = None
    try:
        pki = os.path.join(root, "pki")
        subprocess.run([a.zisync, "pki", "init-ca", "--dir", pki], check=True, capture_output=True)
        for s in ["00", "32", "32.17"]:
            subprocess.run([a.zisync, "pki", "issue", "--dir", pki, "--satker", s], check=True, capture_output=True)
        ri = Node(a.zisync, root, "00")
        ri.run("init", "--satker", "00", "--pki", pki, "--listen", "127.0.0.1:0", "--web-listen", "127.0.0.1:0")
        ri.start()
        nodes.append(ri)
        prov = Node(a.zisync, root, "32")
        prov.run("init", "--satker", "32", "--pki", pki, "--parent", ri.listen, "--listen", "127.0.0.1:0",
                 "--web-listen", "127.0.0.1:0")
        prov.start()
        nodes.append(prov)
        kab = Node(a.zisync, root, "32.17")
        kab.run("init", "--satker", "32.17", "--pki", pki, "--parent", prov.listen, "--web-listen", "127.0.0.1:0")
        kab.start()
        nodes.append(kab)
        kab.run("user", "add", "ani", "--role", "tim-zi", stdin=PASSWORD + "\n")
        prov.run("user", "add", "rina", "--role", "penilai", stdin=PASSWORD + "\n")
        ri.run("user", "add", "tia", "--role", "tpi", stdin=PASSWORD + "\n")
        ri.run("user", "add", "op", "--role", "operator", stdin=PASSWORD + "\n")
        evidence = os.path.join(root, "sk-tim-zi.pdf")
        with open(evidence, "wb") as f:
            f.write(os.urandom(5 * 1024 * 1024))

        browser = Browser(shots)
        # Masuk.
        browser.open(kab.web + "/rencana-aksi")
        browser.wait.until(EC.presence_of_element_located((By.ID, "nama")))
        browser.shot("01-masuk")
        browser.driver.find_element(By.ID, "nama").send_keys("ani")
        browser.driver.find_element(By.ID, "sandi").send_keys("salah-sandi")
        browser.driver.find_element(By.ID, "masuk").click()
        browser.expect_text("Nama pengguna atau kata sandi salah.", "wrong password")
        browser.driver.find_element(By.ID, "sandi").send_keys(PASSWORD)
        browser.driver.find_element(By.ID, "masuk").click()
        browser.expect_text("Rencana aksi", "after login, back to the page asked for")

        # Beranda.
        browser.open(kab.web + "/")
        browser.expect_text("Nilai LKE", "beranda")
        browser.expect_text("Sinkronisasi", "beranda")
        browser.shot("02-beranda")

        # Rencana aksi: add one.
        browser.open(kab.web + "/rencana-aksi")
        browser.driver.find_element(By.ID, "tambah-rencana").click()
        browser.wait.until(EC.presence_of_element_located((By.ID, "f-activity")))
        Select(browser.driver.find_element(By.ID, "f-area")).select_by_value("manajemen-perubahan")
        browser.driver.find_element(By.ID, "f-activity").send_keys("Pembentukan Tim Kerja ZI")
        browser.driver.find_element(By.ID, "f-lke").send_keys("A.I.1.i.a")
        browser.driver.find_element(By.ID, "f-deadline").send_keys("2026-01-31")
        browser.driver.find_element(By.ID, "f-pic").send_keys("Sekretaris")
        browser.driver.find_element(By.ID, "simpan-rencana").click()
        browser.expect_text("Rencana aksi tersimpan.", "plan saved")
        plan_id = browser.driver.current_url.split("/rencana-aksi/")[1].split("?")[0]
        browser.shot("03-rencana-aksi-form")
        browser.open(kab.web + "/rencana-aksi")
        browser.expect_text("Pembentukan Tim Kerja ZI", "plan listed")
        browser.shot("04-rencana-aksi")

        # Bukti dukung: a 5 MB file by the file picker, with the progress bar.
        browser.open(kab.web + "/bukti-dukung")
        Select(browser.driver.find_element(By.ID, "u-rencana")).select_by_value(plan_id)
        browser.driver.find_element(By.ID, "u-judul").send_keys("SK Tim Kerja ZI")
        Select(browser.driver.find_element(By.ID, "u-jenis")).select_by_value("sk")
        picker = browser.driver.find_element(By.ID, "u-berkas")
        browser.driver.execute_script("arguments[0].hidden = false;", picker)
        picker.send_keys(evidence)
        browser.driver.find_element(By.ID, "u-kirim").click()
        browser.expect_text("Bukti dukung sk-tim-zi.pdf tersimpan.", "upload done")
        browser.expect_text("SK Tim Kerja ZI", "evidence listed")
        browser.expect_text("5,0 MB", "its size")
        browser.shot("05-bukti-dukung")
        stored = json.loads(kab.run("evidence", "list", "--json").stdout)
        if len(stored) != 1 or stored[0].get("size") != 5 * 1024 * 1024:
            fail("the evidence stored: %s" % stored)

        # A 50 MB scan over a Wi-Fi that drops halfway: the page waits, asks the offset, goes on.
        scan = os.path.join(root, "scan-laporan.pdf")
        with open(scan, "wb") as f:
            f.write(os.urandom(50 * 1024 * 1024))
        web_port = int(kab.web.rsplit(":", 1)[1])
        proxy = CuttingProxy(web_port, cut_after=20 * 1024 * 1024)
        browser.open("http://127.0.0.1:%d/bukti-dukung" % proxy.port)  # the same cookie: same host
        Select(browser.driver.find_element(By.ID, "u-rencana")).select_by_value(plan_id)
        browser.driver.find_element(By.ID, "u-judul").send_keys("Scan laporan monev")
        picker = browser.driver.find_element(By.ID, "u-berkas")
        browser.driver.execute_script("arguments[0].hidden = false;", picker)
        picker.send_keys(scan)
        browser.driver.find_element(By.ID, "u-kirim").click()
        try:
            browser.wait.until(lambda d: browser.body_has("Bukti dukung scan-laporan.pdf tersimpan."))
        except Exception:
            fail("the 50 MB upload after a drop: the page says '%s' (%d bytes up, %d cuts)\n%s"
                 % (browser.text("#u-status"), proxy.upstream, proxy.cuts,
                    "\n".join(str(e) for e in browser.driver.get_log("browser"))[-3000:]
                    + open(kab.home + ".err").read()[-3000:]))
        proxy.close()
        if proxy.cuts != 1:
            fail("the link was never cut")
        resent = proxy.upstream - 50 * 1024 * 1024
        print("50 MB scan: cut once after %d bytes; %d bytes up in all (%d more than the file)"
              % (proxy.cut_after, proxy.upstream, resent))
        if resent > 4 * 1024 * 1024:
            fail("the upload started again instead of resuming: %d bytes more than the file" % resent)
        stored = json.loads(kab.run("evidence", "list", "--json").stdout)
        if sorted(e.get("size") for e in stored) != [5 * 1024 * 1024, 50 * 1024 * 1024]:
            fail("the evidence stored: %s" % stored)

        # LKE: answer a question, see the area's score change.
        browser.open(kab.web + "/lke?area=manajemen-perubahan")
        before = browser.text("#skor-area")
        question = browser.driver.find_element(By.ID, "q-A.I.1.i.a")
        question.find_element(By.CSS_SELECTOR, "input[name=jawaban][value=Ya]").click()
        question.find_element(By.NAME, "catatan").send_keys("SK Tim Kerja ZI ditetapkan")
        question.find_element(By.CSS_SELECTOR, "input[name=bukti]").click()
        question.find_element(By.CSS_SELECTOR, "button.simpan-jawaban").click()
        browser.expect_text("Jawaban A.I.1.i.a tersimpan.", "answer saved")
        after = browser.text("#skor-area")
        if after == before:
            fail("the area score did not change: %s" % after)
        print("area score %s -> %s" % (before, after))
        browser.shot("06-lke", full=False)

        # The kab/kota sends its LKE ("Kirim LKE": the province assesses only a submitted one);
        # from then on its answers are read-only. Its work reaches the province.
        send = browser.driver.find_element(By.ID, "kirim-lke")
        browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", send)
        send.click()
        browser.expect_text("LKE terkirim (pengiriman 1", "the LKE sent")
        browser.expect_text("hanya dapat dibaca sampai dikembalikan", "read-only after sending")
        browser.shot("06b-lke-terkirim", full=False)
        kab.run("sync")
        browser.logout()
        browser.shot("07-keluar")

        # The province's penilai reviews the plan in the province's own web app.
        browser.login(prov.web, "rina")
        browser.open(prov.web + "/satker")
        browser.expect_text("32.17", "children table")
        browser.shot("08-satker-di-bawah")
        browser.open(prov.web + "/reviu")
        browser.expect_text("Pembentukan Tim Kerja ZI", "review queue")
        item = browser.driver.find_element(By.ID, "r-" + plan_id)
        Select(item.find_element(By.NAME, "putusan")).select_by_value("disetujui")
        item.find_element(By.NAME, "catatan").send_keys("Lengkap, lanjutkan")
        browser.shot("09-antrian-reviu")
        item.find_element(By.CSS_SELECTOR, "button.kirim-reviu").click()
        browser.expect_text("Reviu tersimpan: Disetujui.", "review saved")
        browser.open(prov.web + "/rekap")
        browser.expect_text("32.17", "rekap LKE")
        browser.shot("10-rekap-lke")
        browser.open(prov.web + "/lke?satker=32.17&area=manajemen-perubahan")
        browser.expect_text("Lapis unit: Ya", "the unit's answer beside the province's layer")
        question = browser.driver.find_element(By.ID, "q-A.I.1.i.a")
        question.find_element(By.CSS_SELECTOR, "input[name=jawaban][value=Tidak]").click()
        question.find_element(By.NAME, "catatan").send_keys("Bukti belum lengkap")
        question.find_element(By.CSS_SELECTOR, "button.simpan-jawaban").click()
        browser.expect_text("Jawaban A.I.1.i.a tersimpan.", "the province's layer saved")
        browser.expect_text("lapis berbeda", "the layers disagree, marked")
        browser.driver.execute_script("document.getElementById('q-A.I.1.i.a').scrollIntoView();")
        browser.shot("11-lke-penilai", full=False)
        browser.logout()

        # The review arrives at the kab/kota after a sync.
        kab.run("sync")
        browser.login(kab.web, "ani")
        browser.open(kab.web + "/rencana-aksi/" + plan_id)
        browser.expect_text("Reviu terakhir: Disetujui oleh rina@32", "the province's review arrived")
        browser.shot("12-reviu-tiba")
        browser.open(kab.web + "/riwayat/" + plan_id)
        browser.expect_text("ani@32.17", "history names the person")
        browser.shot("13-riwayat")
        browser.open(kab.web + "/konflik")
        browser.shot("14-konflik")

        # On a phone.
        browser.driver.set_window_size(390, 844)
        browser.open(kab.web + "/")
        browser.expect_text("Nilai LKE", "beranda on a phone")
        browser.shot("15-beranda-ponsel")
        browser.driver.set_window_size(1366, 768)

        # The evaluation cycle on to KPU RI's proposal. The province returns the LKE with a note on
        # an item; the kab/kota sends it again; the province finds it layak; at KPU RI the TPI
        # concludes and the operator proposes the unit; the evaluation report prints.
        browser.logout()
        browser.login(prov.web, "rina")
        browser.open(prov.web + "/penilaian")
        browser.expect_text("Dikirim, menunggu penilaian", "the progress picture's legend")
        browser.expect_text("32.17", "the assessment queue")
        browser.shot("16-penilaian")
        browser.open(prov.web + "/lke?satker=32.17&area=manajemen-perubahan")
        browser.type("form.kembalikan-lke textarea[name=catatan]", "Lengkapi SK Tim Kerja")
        browser.type("form.kembalikan-lke textarea[name=butir]", "A.I.1.i.a: SK belum ditandatangani")
        browser.click("#kembalikan-lke")
        browser.expect_text("dikembalikan untuk revisi 1", "returned by the province")
        prov.run("sync")
        kab.run("sync")
        browser.logout()
        browser.login(kab.web, "ani")
        browser.open(kab.web + "/lke?area=manajemen-perubahan")
        browser.expect_text("Lengkapi SK Tim Kerja", "the return's note at the kab/kota")
        browser.expect_text("SK belum ditandatangani", "the item's note at the kab/kota")
        browser.click("#kirim-lke")
        browser.expect_text("LKE terkirim (pengiriman 2", "sent again")
        kab.run("sync")
        browser.logout()
        browser.login(prov.web, "rina")
        browser.open(prov.web + "/lke?satker=32.17")
        browser.click("form.putusan-lke input[value=layak]")
        browser.click("#putusan-kirim")
        browser.expect_text("layak diusulkan", "the province's verdict")
        prov.run("sync")
        browser.logout()
        browser.login(ri.web, "tia")
        browser.open(ri.web + "/lke?satker=32.17")
        browser.click("form.simpulan-lke input[value=memenuhi]")
        Select(browser.driver.find_element(By.CSS_SELECTOR, "form.simpulan-lke select[name=tahap]")).select_by_value("dalnis")
        browser.click("#simpulan-kirim")
        browser.expect_text("Simpulan TPI 32.17 (pengendali teknis): memenuhi.", "the TPI's conclusion")
        browser.logout()
        browser.login(ri.web, "op")
        browser.open(ri.web + "/lke?satker=32.17")
        browser.click("form.usulan-lke input[value=wbk]")
        browser.type("form.usulan-lke input[name=alasan]", "Arahan pimpinan")
        browser.click("#usulan-kirim")
        browser.expect_text("Diusulkan untuk Menuju WBK", "KPU RI's proposal")
        browser.shot("17-usulan", full=False)
        browser.open(ri.web + "/lke/lhe?satker=32.17")
        browser.expect_text("Laporan Hasil Evaluasi Zona Integritas", "the evaluation report")
        browser.expect_text("Dikembalikan (penilaian pendahuluan)", "the return in the report")
        browser.shot("18-lhe")
        browser.open(ri.web + "/")  # the report is a page of its own, without the menu
        browser.logout()
        browser.login(kab.web, "ani")

        browser.logout()
        browser.open(kab.web + "/")
        if "/masuk" not in browser.driver.current_url:
            fail("after logout a page is still open: %s" % browser.driver.current_url)
        print("OK: the ZI cycle in a real browser (%d screenshots in %s)" % (len(os.listdir(a.out)), a.out))
    finally:
        if browser:
            browser.quit()
        for n in reversed(nodes):
            n.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
