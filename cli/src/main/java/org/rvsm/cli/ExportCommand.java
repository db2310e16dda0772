package org.rvsm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.train.SavedModel;
import org.rvsm.runtime.Compactor;
import org.rvsm.runtime.Safetensors;
import org.rvsm.runtime.SparseFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a model in three forms and reports their sizes on disk. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a model as dense, sparse (CSR) and compacted safetensors, and their sizes.",
            "Writes three files into DIR and reports the bytes on disk of each:",
            "  dense.safetensors    every weight, zeros included (what training wrote)",
            "  sparse.safetensors   weights in CSR (indptr I32, indices U16, values F32; layout in docs/formats.md)",
            "  compact.safetensors  dense again, with removed neurons and filters (structured sparsity) gone",
            "                       (lenet300 and lenet5 only; for resnet20 and vgg-small export says so in one line)",
            "All three are safetensors files: they load in Python with safetensors.numpy.load_file and cannot run",
            "code. DIR/export.json holds the sizes.",
            "DIR must be new or empty; --force replaces an earlier export there (and nothing else).", ""},
        footer = {"", "Example:  rvsm export --model runs/lenet300-rvsm/model.safetensors --out runs/lenet300-export"})
final class ExportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = ModelFiles.OPTION)
    Path model;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Output directory: new or empty (never the model's own directory).")
    Path out;

    @Option(names = "--force", description = "Replace DIR if it holds an earlier export and nothing else.")
    boolean force;

    @CommandLine.Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Map<String, Object> json = Output.object();
        // --out first: refusing it needs no engine
        try (StagedDirectory dir = StagedDirectory.create("export", "--out", out, force, List.of(model));
             SavedModel m = ModelFiles.load(model)) {
            Map<String, String> meta = new java.util.LinkedHashMap<>(m.metadata());
            meta.remove("format");
            meta.put("exported_from", model.toString());
            Safetensors.write(dir.path().resolve("dense.safetensors"), m.tensors(), meta);
            SparseFormat.write(dir.path().resolve("sparse.safetensors"), m.tensors(), meta);
            long dense = Files.size(dir.path().resolve("dense.safetensors"));
            long sparse = Files.size(dir.path().resolve("sparse.safetensors"));
            json.put("model", model.toString());
            json.put("dense_bytes", dense);
            json.put("sparse_bytes", sparse);
            json.put("dense_over_sparse", (double) dense / sparse);
            String name = m.metadata().get("model");
            if (name != null && Models.NAMES.contains(name) && !Models.SEQUENTIAL.contains(name)) {
                // compaction and the sparse runtime know the LeNet family's layers only
                String why = name + ": " + ModelFiles.UNSUPPORTED;
                json.put("compact_bytes", null);
                json.put("compact_refused", why);
                Output.writeJson(dir.path().resolve("export.json"), json);
                dir.commit();
                w.println(Output.format("dense    %,10d bytes", dense));
                w.println(Output.format("sparse   %,10d bytes  (%.1fx smaller)", sparse, (double) dense / sparse));
                w.println("export: " + why + "; wrote dense.safetensors and sparse.safetensors, not compact.safetensors");
                w.println("wrote " + dir.target());
                return ExitCode.OK;
            }
            Compactor.Result compact = Compactor.compact(m.tensors(), m.spec());
            Safetensors.write(dir.path().resolve("compact.safetensors"), compact.tensors(), meta);
            long compacted = Files.size(dir.path().resolve("compact.safetensors"));
            json.put("compact_bytes", compacted);
            json.put("dense_over_compact", (double) dense / compacted);
            json.put("units_removed", compact.removed());
            java.util.List<Object> layers = new java.util.ArrayList<>();
            for (int i = 0; i < compact.kept().size(); i++) {
                Map<String, Object> layer = Output.object();
                layer.put("before", compact.before().get(i));
                layer.put("kept", compact.kept().get(i).length);
                layers.add(layer);
            }
            json.put("hidden_layers", layers);
            Output.writeJson(dir.path().resolve("export.json"), json);
            dir.commit();
            w.println(Output.format("dense    %,10d bytes", dense));
            w.println(Output.format("sparse   %,10d bytes  (%.1fx smaller)", sparse, (double) dense / sparse));
            w.println(Output.format("compact  %,10d bytes  (%.1fx smaller; %d hidden neurons/filters removed: %s)",
                    compacted, (double) dense / compacted, compact.removed(), layers));
            w.println("wrote " + dir.target());
        } catch (IOException e) {
            throw new UserError("--out " + out + ": " + e.getMessage());
        }
        return ExitCode.OK;
    }
}
