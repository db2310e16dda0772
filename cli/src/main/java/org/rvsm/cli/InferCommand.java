package org.rvsm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.runtime.SparseNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The pure-Java sparse runtime on the test set: accuracy and throughput. */
@Command(name = "infer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Test accuracy and throughput of a model on the pure-Java sparse runtime.",
            "Runs the test set through the CSR kernels (no native code, threads over the batch) and prints",
            "the accuracy and images per second. FILE may be a model.safetensors from train, or any file",
            "written by export.", ""},
        footer = {"", "Example:  rvsm infer --model runs/lenet300-export/sparse.safetensors"})
final class InferCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = ModelFiles.OPTION)
    Path model;

    @CommandLine.Mixin
    TestSetOptions testSet;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "256", description = "Images per call. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--threads", paramLabel = "T", description = "Threads. Default: the number of cores.")
    Integer threads;

    @CommandLine.Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        Checks.atLeast("--batch", batch, 1);
        int t = Checks.atLeast("--threads", threads != null ? threads : Runtime.getRuntime().availableProcessors(), 1);
        ModelFiles.Network network = ModelFiles.network(model, t);
        SparseNetwork net = network.net();
        ImageDataset test = testSet.load(network.info());
        PrintWriter out = spec.commandLine().getOut();
        int[] predicted = new int[test.count()];
        Predictions.predict(net::logits, test, batch, predicted); // once to warm the JIT up
        long started = System.nanoTime();
        Predictions.predict(net::logits, test, batch, predicted);
        double seconds = (System.nanoTime() - started) / 1e9;
        long correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == test.labels()[i] ? 1 : 0;
        }
        out.println(Output.format("test accuracy %.2f%% on %d images; %,.0f images/s (batch %d, %d threads, %,d stored weights)",
                100.0 * correct / test.count(), test.count(), test.count() / seconds, batch, t, net.nonZeros()));
        return ExitCode.OK;
    }
}
