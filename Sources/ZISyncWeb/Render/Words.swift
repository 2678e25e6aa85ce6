import Foundation
import ZISyncCore
import ZISyncProtocol

/// Times, sizes and sync states in the words of an office (Bahasa Indonesia).
enum Words {
    /// "baru saja", "3 menit lalu", "2 jam lalu", "5 hari lalu".
    static func ago(_ ms: Int64?, now: Int64 = HybridClock.systemMilliseconds()) -> String {
        guard let ms else { return "belum pernah" }
        let s = max(0, (now - ms) / 1000)
        switch s {
        case ..<60: return "baru saja"
        case ..<3600: return "\(s / 60) menit lalu"
        case ..<86_400: return "\(s / 3600) jam lalu"
        default: return "\(s / 86_400) hari lalu"
        }
    }

    /// The operator's sizes, with the decimal comma: "512 B", "2 KB", "5,0 MB".
    static func bytes(_ n: Int64) -> String {
        OperatorText.bytes(n).replacingOccurrences(of: " bytes", with: " B").replacingOccurrences(of: ".", with: ",")
    }

    /// A figure as the LKE prints it: two decimals, with a decimal comma.
    static func figure(_ x: Double) -> String {
        String(format: "%.2f", (x * 100).rounded() / 100).replacingOccurrences(of: ".", with: ",")
    }

    static func date(_ ms: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "id_ID")
        f.dateFormat = "d MMM yyyy HH:mm"
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// What a sync problem means for the office, and what to do (the operator's message follows).
    static func problem(_ cause: SyncProblem.Cause) -> (String, String) {
        switch cause {
        case .dns, .unreachable, .timeout, .link, .stopped:
            return (
                "Koneksi ke kantor induk terputus.",
                "Pekerjaan tetap tersimpan di kantor ini dan dikirim otomatis saat koneksi kembali. Bila berhari-hari, minta operator memeriksa jaringan."
            )
        case .tls, .certificate, .notZISync:
            return (
                "Kantor induk tidak dapat dipastikan keasliannya.",
                "Jangan khawatir: tidak ada data yang dikirim. Minta operator memeriksa sertifikat dan alamat induk."
            )
        case .revoked:
            return (
                "Sertifikat kantor ini dicabut oleh KPU RI.",
                "Operator perlu meminta sertifikat baru (zisync pki issue)."
            )
        case .clock:
            return ("Jam komputer server kantor ini tidak tepat.", "Minta operator menyetel jam (NTP).")
        case .refused, .held:
            return (
                "Sebagian perubahan ditolak atau ditahan oleh kantor induk.",
                "Operator dapat melihat rinciannya dengan zisync status."
            )
        case .forbidden, .parentError, .protocol, .local, .notSeen:
            return (
                "Sinkronisasi dengan kantor induk gagal.",
                "Minta operator melihat zisync status; pekerjaan tetap tersimpan di sini."
            )
        }
    }

    static func childState(_ s: ChildState) -> String {
        switch s {
        case .failing: "bermasalah"
        case .late: "terlambat"
        case .ok: "tersinkron"
        case .neverSeen: "belum pernah terhubung"
        }
    }

    static let areaNames: [String: String] = [
        "manajemen-perubahan": "Manajemen Perubahan", "tatalaksana": "Penataan Tatalaksana",
        "sdm": "Penataan Sistem Manajemen SDM", "akuntabilitas": "Penguatan Akuntabilitas",
        "pengawasan": "Penguatan Pengawasan", "pelayanan-publik": "Peningkatan Kualitas Pelayanan Publik",
    ]

    /// The area's short name, for table heads.
    static let areaShort: [String: String] = [
        "manajemen-perubahan": "Man. Perubahan", "tatalaksana": "Tatalaksana", "sdm": "SDM",
        "akuntabilitas": "Akuntabilitas", "pengawasan": "Pengawasan", "pelayanan-publik": "Pel. Publik",
    ]

    static let statusNames: [String: String] = [
        "draft": "Draf", "diajukan": "Diajukan", "disetujui": "Disetujui", "berjalan": "Berjalan",
        "terlambat": "Terlambat", "selesai": "Selesai", "diverifikasi": "Diverifikasi", "revisi": "Revisi",
        "dibatalkan": "Dibatalkan",
    ]

    static let verdictNames: [String: String] = [
        "disetujui": "Disetujui", "perlu-revisi": "Perlu revisi", "ditolak": "Ditolak",
    ]
}
