/// Which orders get a status query after an order connection comes back.
public enum ReconcileScope: Sendable, Hashable {
    /// Only orders whose outcome the drop hid (`unknown`).
    case unknownOnly
    /// `unknown` orders and every open (`accepted`, `partially_filled`) one: execution reports
    /// sent while the connection was down are lost, so a fill during the gap is only learned
    /// this way. Costs one status request per open order per reconnect.
    case allOpen
}
