import Foundation

/// Small but real bukti dukung: PDF documents and a CSV spreadsheet.
enum DemoSamples {
    static func write(to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try pdf([
            "Notulen Rapat Pembangunan Zona Integritas", "KPU Kabupaten Bandung Barat", "Agenda: rencana kerja ZI",
        ])
        .write(to: dir.appendingPathComponent("notulen-rapat-zi.pdf"))
        try pdf(["Laporan Survei Indeks Kepuasan Masyarakat", "KPU Kota Bandung", "Nilai IKM: 86,4 (baik)"])
            .write(to: dir.appendingPathComponent("laporan-survei-ikm.pdf"))
        var csv = "no,nama,jabatan,hadir\n"
        let names = ["Ahmad", "Siti", "Budi", "Dewi", "Rahmat", "Nur", "Agus", "Lina", "Hendra", "Wati"]
        for (i, name) in names.enumerated() { csv += "\(i + 1),\(name),Staf Sekretariat,ya\n" }
        try Data(csv.utf8).write(to: dir.appendingPathComponent("daftar-hadir.csv"))
        try pdf(["Surat Keputusan Ketua KPU Kabupaten Bandung Barat", "tentang Tim Kerja Pembangunan Zona Integritas"])
            .write(to: dir.appendingPathComponent("sk-tim-zi.pdf"))
    }

    /// A one-page PDF with lines of text, its cross-reference offsets computed.
    static func pdf(_ lines: [String]) -> Data {
        let text = lines.enumerated().map { i, l in "BT /F1 14 Tf 72 \(760 - i * 24) Td (\(l)) Tj ET" }
            .joined(separator: "\n")
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(text.utf8.count) >>\nstream\n\(text)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(body)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(format: "%010d 00000 n \n", o) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }
}
