import ZISyncCore
import ZISyncStore

/// What a role may do from the web. The store's write rules still run underneath (who may write
/// which layer, which satker): this decides only which person of the office may ask.
enum WebAction: Equatable {
    case plans, evidence, review, users
    case lke(AssessmentLayer)
    /// The TPI's conclusion (at KPU RI).
    case conclude
    /// KPU RI's proposal to KemenPANRB.
    case propose
}

extension Role {
    func may(_ action: WebAction) -> Bool {
        switch (self, action) {
        case (.operator, _): true
        case (.pimpinan, _): false
        case (.timZI, .plans), (.timZI, .evidence), (.timZI, .lke(.unit)): true
        case (.penilai, .review), (.penilai, .lke(.provinsi)), (.penilai, .lke(.tpi)): true
        case (.tpi, .lke(.tpi)), (.tpi, .conclude): true
        default: false
        }
    }

    /// The role in the office's words.
    var label: String {
        switch self {
        case .timZI: "Tim ZI"
        case .penilai: "Penilai"
        case .tpi: "TPI"
        case .pimpinan: "Pimpinan"
        case .operator: "Operator"
        }
    }
}

extension WebSession {
    /// The actor of the changes this person makes: `name@satker`, as `history` shows it.
    func actor(at node: String) -> String { "\(account.name)@\(node)" }

    /// Refuses, in words, what this person's role may not do.
    func require(_ action: WebAction) throws {
        guard account.role.may(action) else {
            let what: String
            switch action {
            case .plans: what = "mengubah rencana aksi"
            case .evidence: what = "mengunggah bukti dukung"
            case .review: what = "memberi reviu"
            case .users: what = "mengelola pengguna"
            case .lke(let layer): what = "mengisi LKE lapis \(layer.rawValue)"
            case .conclude: what = "memberi simpulan TPI"
            case .propose: what = "mengusulkan unit ke KemenPANRB"
            }
            throw WebRefusal.forbidden("Peran \(account.role.label) tidak boleh \(what).")
        }
    }
}
