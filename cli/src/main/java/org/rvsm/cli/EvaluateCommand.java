package org.rvsm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.train.SavedModel;
import org.rvsm.nn.optim.LayerInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Test accuracy and per-layer sparsity of a saved model. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Test accuracy and per-layer sparsity of a saved model, on the engine.",
            "FILE: a model.safetensors written by 'rvsm train', or any file written by 'rvsm export'.", ""},
        footer = {"", "Example:  rvsm evaluate --model runs/lenet300-rvsm/model.safetensors"})
final class EvaluateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = ModelFiles.OPTION)
    Path model;

    @CommandLine.Mixin
    TestSetOptions testSet;

    @CommandLine.Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (SavedModel m = ModelFiles.load(model)) {
            ImageDataset test = testSet.load(ModelFiles.Info.of(m.metadata(), m.spec()));
            long nonZeros = 0;
            long total = 0;
            for (LayerInfo l : m.layers()) {
                out.println(String.format(Locale.ROOT, "  %-24s %-18s nnz %9d  sparsity %6.2f%%", l.name(),
                        java.util.Arrays.toString(l.shape()), l.nonZeros(), 100.0 * (l.size() - l.nonZeros()) / l.size()));
                nonZeros += l.nonZeros();
                total += l.size();
            }
            out.println(String.format(Locale.ROOT, "test accuracy %.2f%% on %d images; %.2f%% of the weights exactly zero",
                    100 * m.accuracy(test), test.count(), 100.0 * (total - nonZeros) / total));
        }
        return ExitCode.OK;
    }
}
