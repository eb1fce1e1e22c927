package io.redpacket.launcher;

import io.redpacket.bench.AllocationBench;
import io.redpacket.bench.IngestBench;
import io.redpacket.bench.LatencyBench;
import io.redpacket.bench.SettlementBench;
import io.redpacket.bench.SharingBench;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
    subcommands = {AllocationBench.class, IngestBench.class, LatencyBench.class, SettlementBench.class, SharingBench.class})
final class BenchCommand {}
