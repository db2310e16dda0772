package org.rvsm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "reproduce")
final class ReproduceCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
