import ArgumentParser
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the whole product on this machine: KPU RI, a province and two kab/kota syncing.",
        discussion: """
            Creates a deployment CA and four offices (KPU RI, KPU Provinsi Jawa Barat, two of its \
            kab/kota) under a temporary directory, starts their daemons on 127.0.0.1, enters rencana \
            aksi with bukti dukung files at the kab/kota, syncs up the tree, has the province review a \
            plan, and prints the province's status (its children table) and roll-up report. Every \
            step is a zisync command, printed before it runs. Exits 0 with everything stopped and \
            removed, unless --keep.
            """)

    @Flag(help: "Leave the daemons running and the directory in place, and print how to query them.")
    var keep = false

    @Option(help: "Build the demo here (an empty or new directory) instead of a temporary one.")
    var dir: String?

    static let province = "32"
    /// The offices whose web app the demo serves, with the role of its demo account.
    static let webOffices = ["32": "penilai", "32.17": "tim-zi"]
    static let demoUser = "demo"
    static let demoPassword = "demo-zisync"
    static let kabkota = ["32.17", "32.73"]

    func run() async throws {
        let root =
            dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "zisync-demo-\(UUID().uuidString.prefix(8))")
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: root.path), !existing.isEmpty {
            throw ValidationError("--dir \(root.path) is not empty; give a new or empty directory")
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let tree = DemoTree(dir: root)
        do {
            try walkthrough(tree)
        } catch {
            tree.stopDaemons()
            print("\nThe demo failed: \(error)\nIts files stay in \(root.path) (daemon logs: *.log).")
            throw ExitCode(1)
        }
        if keep {
            print(
                """

                The tree keeps running (daemon pids \(tree.pids.map(String.init).joined(separator: " "))). Try:
                  alias zisync=\(tree.zisync.path)
                  cd \(root.path)
                  zisync status --home 32          # the province and its children
                  zisync plan list --home 32.17    # a kab/kota's rencana aksi
                  zisync plan add --home 32.73 --area 3 --activity "Pelatihan SDM" && zisync sync --home 32.73
                  zisync report --home 00          # the national roll-up at KPU RI
                Halaman kerja ZI in a browser (user \(Self.demoUser), password \(Self.demoPassword)):
                \(Self.webOffices.keys.sorted().map { "  \(tree.web[$0] ?? "?")   \($0 == Self.province ? "the province (penilai)" : "kab/kota \($0) (tim-zi)")" }.joined(separator: "\n"))
                Stop it with: kill \(tree.pids.map(String.init).joined(separator: " "))
                """)
        } else {
            print("\n8. Stopping the daemons (SIGTERM) and removing \(root.path)")
            tree.stopDaemons()
            try? FileManager.default.removeItem(at: root)
            print("   done. `zisync demo --keep` leaves the tree running to explore.")
        }
    }

    /// The demo's steps in order; each prints its heading, then runs its zisync commands.
    func walkthrough(_ tree: DemoTree) throws {
        let offices = ["00", Self.province] + Self.kabkota
        print("zisync demo: KPU RI, KPU Provinsi Jawa Barat and two kab/kota on this machine, in \(tree.dir.path)")
        print("(every step is a zisync command run in that directory)\n")
        try issueCertificates(tree, offices: offices)
        try startOffices(tree, offices: offices)
        let bandungBarat = try enterPlans(tree)
        try syncUp(tree)
        try reviewPlan(tree, plan: bandungBarat)
        try showProvince(tree)
        try answerLKE(tree)
    }

    /// Step 1: the deployment CA every office trusts, and one certificate per office.
    private func issueCertificates(_ tree: DemoTree, offices: [String]) throws {
        print("1. One deployment CA, and a certificate naming each office")
        try tree.run(["pki", "init-ca", "--dir", "pki"], quiet: true)
        for satker in offices {
            try tree.run(["pki", "issue", "--dir", "pki", "--satker", satker, "--host", "127.0.0.1"], quiet: true)
        }
    }

    /// Step 2: each office's home and daemon, parents first so a child learns its parent's address.
    private func startOffices(_ tree: DemoTree, offices: [String]) throws {
        print("\n2. The offices, each with its database and daemon (the parent's address comes from its daemon)")
        var url: [String: String] = [:]
        for satker in offices {
            var args = ["init", "--home", satker, "--satker", satker, "--pki", "pki"]
            let parent = satker == "00" ? nil : satker.contains(".") ? Self.province : "00"
            if let parent { args += ["--parent", url[parent]!] }
            let serves = !satker.contains(".")
            if serves { args += ["--listen", "127.0.0.1:0"] }
            // Halaman kerja ZI at the province and at one kab/kota (docs/web.md).
            let web = Self.webOffices[satker] != nil
            if web { args += ["--web-listen", "127.0.0.1:0"] }
            try tree.run(args)
            if let role = Self.webOffices[satker] {
                try tree.run(
                    ["user", "add", Self.demoUser, "--role", role, "--home", satker], input: Self.demoPassword + "\n")
            }
            let line = try tree.startDaemon(satker, web: web)
            if serves, let port = line.split(separator: ":").last { url[satker] = "https://127.0.0.1:\(port)" }
        }
    }

    /// Step 3: plans with their evidence files at the two kab/kota. Returns the plan the province reviews.
    private func enterPlans(_ tree: DemoTree) throws -> String {
        print("\n3. Rencana aksi and their bukti dukung (real files) at the two kab/kota")
        let samples = tree.dir.appendingPathComponent("bukti")
        try DemoSamples.write(to: samples)
        let bandungBarat = try tree.run(
            [
                "plan", "add", "--home", "32.17", "--area", "1", "--lke", "A.I.1.ii.a",
                "--activity", "Penyusunan rencana kerja pembangunan Zona Integritas", "--output",
                "SK dan rencana kerja",
                "--deadline", "2026-12-31", "--pic", "Sekretaris KPU Kab. Bandung Barat",
            ])
        try tree.run([
            "evidence", "add", "--home", "32.17", "--plan", bandungBarat, "--kind", "notulen",
            "bukti/notulen-rapat-zi.pdf",
        ])
        try tree.run([
            "evidence", "add", "--home", "32.17", "--plan", bandungBarat, "--kind", "daftar-hadir",
            "bukti/daftar-hadir.csv",
        ])
        let sosialisasi = try tree.run(
            [
                "plan", "add", "--home", "32.17", "--area", "1", "--lke", "A.I.1.i.a",
                "--activity", "Pembentukan tim kerja Zona Integritas", "--deadline", "2026-10-31",
            ])
        try tree.run(["plan", "set", "--home", "32.17", sosialisasi, "status=selesai", "progress=100"])
        try tree.run([
            "evidence", "add", "--home", "32.17", "--plan", sosialisasi, "--kind", "sk", "bukti/sk-tim-zi.pdf",
        ])
        let survei = try tree.run(
            [
                "plan", "add", "--home", "32.73", "--area", "6", "--lke", "A.I.6.i.a",
                "--activity", "Survei kepuasan masyarakat atas layanan informasi pemilu", "--deadline", "2026-12-15",
            ])
        try tree.run([
            "evidence", "add", "--home", "32.73", "--plan", survei, "--kind", "survei", "bukti/laporan-survei-ikm.pdf",
        ])
        return bandungBarat
    }

    /// Step 4: the kab/kota sync up to the province, then the province up to KPU RI.
    private func syncUp(_ tree: DemoTree) throws {
        print("\n4. Sync up the tree: each `zisync sync` asks that office's running daemon for a round now")
        for satker in Self.kabkota { try tree.run(["sync", "--home", satker]) }
        try tree.run(["sync", "--home", Self.province])
    }

    /// Step 5: a review travels up and back down; checks that the office sees it.
    private func reviewPlan(_ tree: DemoTree, plan bandungBarat: String) throws {
        print(
            "\n5. The province reviews a plan of Kab. Bandung Barat; the review travels up to RI and down to the office"
        )
        try tree.run(
            [
                "review", "plan", bandungBarat, "--home", Self.province, "--verdict", "perlu-revisi",
                "--note", "Lengkapi target triwulan dan penanggung jawab tiap kegiatan",
            ])
        try tree.run(["sync", "--home", Self.province])
        for satker in Self.kabkota { try tree.run(["sync", "--home", satker]) }
        try tree.run(["plan", "show", "--home", "32.17", bandungBarat], quiet: true)
        let shown = try tree.run(["plan", "show", "--home", "32.17", bandungBarat, "--json"], show: false)
        if !shown.contains("perlu-revisi") {
            throw DemoTree.Failure(description: "the review did not reach 32.17: \(shown)")
        }
        print("    (32.17 now sees the province's verdict: perlu-revisi)")
        let atRI = try tree.run(["evidence", "list", "--home", "00"], quiet: true)
        print("    KPU RI holds \(atRI.split(separator: "\n").count - 1) bukti dukung files of the two kab/kota")
    }

    /// Step 6: the province's status (its children table) and roll-up report.
    private func showProvince(_ tree: DemoTree) throws {
        print("\n6. What the province's operator sees, and its roll-up report")
        try tree.run(["status", "--home", Self.province])
        try tree.run(["report", "--home", Self.province])
    }

    /// Step 7: LKE answers at the kab/kota, a submission, the province's penilaian pendahuluan, a
    /// return with notes, the revision, the verdict; then gaps and the report.
    private func answerLKE(_ tree: DemoTree) throws {
        print(
            "\n7. The LKE: the kab/kota answer and submit, the province assesses, returns, finds it layak; KPU RI concludes and proposes"
        )
        let answers: [[String]] = [
            ["A.I.1.i.a", "Ya"], ["A.I.1.i.b", "B"], ["A.I.1.ii.a", "Ya"], ["A.I.1.ii.b", "A"], ["A.I.1.ii.c", "B"],
            ["A.II.1.i.a.J1", "12"], ["A.II.1.i.a.J2", "9"], ["B.I.a", "3,62"], ["B.I.b", "B"], ["B.II.a", "3.41"],
        ]
        for (i, satker) in Self.kabkota.enumerated() {
            for pair in answers.prefix(answers.count - i * 3) {
                try tree.run(["lke", "answer", "--home", satker] + pair, quiet: true)
            }
            try tree.run(["lke", "score", "--home", satker])
        }
        let kab = Self.kabkota[0]
        try tree.run(["lke", "submit", "--home", kab, "--note", "Siap dinilai"])
        try tree.run(["sync", "--home", kab])
        try tree.run([
            "lke", "answer", "--home", Self.province, "--satker", kab, "A.I.1.ii.c", "C",
            "--note", "Media sosialisasi belum menjangkau seluruh pegawai",
        ])
        try tree.run([
            "lke", "return", "--home", Self.province, "--satker", kab, "--note", "Lengkapi sosialisasi",
            "--item", "A.I.1.ii.c=Media sosialisasi belum menjangkau seluruh pegawai",
        ])
        try tree.run(["sync", "--home", Self.province])
        for satker in Self.kabkota { try tree.run(["sync", "--home", satker], quiet: true) }
        try tree.run(["lke", "status", "--home", kab])
        try tree.run(["lke", "answer", "--home", kab, "A.I.1.ii.c", "A", "--note", "Sosialisasi ke semua bidang"])
        try tree.run(["lke", "submit", "--home", kab])
        try tree.run(["sync", "--home", kab])
        try tree.run(["lke", "verdict", "--home", Self.province, "--satker", kab, "layak", "--note", "Lanjut ke TPI"])
        try tree.run(["lke", "status", "--home", Self.province])
        try tree.run(["sync", "--home", Self.province])
        // KPU RI: the TPI concludes, and the unit is proposed (an override: the demo's LKE is far
        // from the thresholds, and says so).
        try tree.run(["lke", "conclude", "--home", "00", "--satker", kab, "memenuhi", "--note", "Sesuai"])
        try tree.run([
            "lke", "propose", "--home", "00", "--satker", kab, "wbk", "--reason", "Contoh demo: syarat belum terpenuhi",
        ])
        try tree.run(["lke", "proposals", "--home", "00"])
        try tree.run(["lke", "gaps", "--home", kab, "--top", "5"])
        try tree.run(["lke", "report", "--home", Self.province])
    }
}
