import ArgumentParser

/// The `marketmux` executable: see SPEC.md §2 for every command.
@main
struct MarketMuxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marketmux",
        abstract: "Pooled WebSocket market data and order multiplexer for crypto venues.",
        subcommands: [DemoCommand.self, RunCommand.self, TailCommand.self, OrderCommand.self, NormalizeCommand.self, SimulateCommand.self,
                      AutobahnCommand.self, WSBenchCommand.self],
        defaultSubcommand: DemoCommand.self
    )
}
