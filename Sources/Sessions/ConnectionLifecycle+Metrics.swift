extension ConnectionLifecycle {
    /// Frames waiting in the serving socket's outbound throttle (the venue's per-connection
    /// message rate), for status pages and metrics; 0 when no socket is open.
    public var queuedOutboundFrames: Int { primary?.socket?.outbound.queuedCount ?? 0 }
}
