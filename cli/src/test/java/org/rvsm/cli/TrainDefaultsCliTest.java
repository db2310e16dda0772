package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.model.TrainDefaults;
import org.rvsm.penalty.Penalty;
import picocli.CommandLine;

/**
 * What {@code train} makes of options left out: each model's defaults, a default lambda that keeps the
 * model's threshold for any penalty (checked through the penalty's own threshold), and the model's
 * target sparsity only for a plain RVSM run whose lambda is not given.
 */
class TrainDefaultsCliTest {

    private static Map<String, Object> config(String... args) {
        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs(args);
        return train.options();
    }

    private static double number(Map<String, Object> config, String key) {
        return ((Number) config.get(key)).doubleValue();
    }

    /**
     * Each option's help names every model's default ("Default per model (m1, m2: x; m3: y)"), and the
     * value it names is the one train uses (TrainDefaults).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--penalty", "--lambda", "--beta", "--lr", "--epochs", "--batch"})
    void theHelpNamesEveryModelsDefault(String option) {
        String help = String.join(" ", new CommandLine(new TrainCommand()).getCommandSpec().findOption(option)
                .description());
        int open = help.indexOf('(', help.indexOf("Default per model"));
        String list = help.substring(open + 1, help.indexOf(')', open));
        Set<String> named = new TreeSet<>();
        for (String part : list.split(";")) {
            String[] kv = part.split(":", 2);
            String value = kv[1].strip().split("[ ,]")[0];
            for (String m : kv[0].split(",")) {
                named.add(m.strip());
                TrainDefaults d = TrainDefaults.of(m.strip());
                switch (option) {
                    case "--penalty" -> {
                        assertEquals(d.penalty(), value, part);
                        if (part.contains("--a ")) {
                            assertEquals(d.a(), Double.parseDouble(part.substring(part.indexOf("--a ") + 4).strip()),
                                    0.0, part);
                        }
                    }
                    case "--epochs" -> assertEquals(d.epochs(), Integer.parseInt(value), part);
                    case "--batch" -> assertEquals(d.batch(), Integer.parseInt(value), part);
                    default -> {
                        double expected = option.equals("--lambda") ? d.lambda()
                                : option.equals("--beta") ? d.beta() : d.lr();
                        // the help rounds lenet300's lambda to three digits
                        assertEquals(expected, Double.parseDouble(value), 0.005 * expected, part);
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(Models.NAMES), named, help);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet300", "lenet5"})
    void leftOutOptionsAreTheModelsDefaults(String model) {
        TrainDefaults d = TrainDefaults.of(model);
        Map<String, Object> c = config("--model", model);
        assertEquals(d.penalty(), c.get("penalty"));
        assertEquals(d.penalty().equals("tl1") ? d.a() : 1.0, number(c, "a"), 0.0);
        assertEquals(d.lambda(), number(c, "lambda"), 0.0);
        assertEquals(d.beta(), number(c, "beta"), 0.0);
        assertEquals(d.epochs(), ((Number) c.get("epochs")).intValue());
        assertEquals(d.lr(), number(c, "lr"), 0.0);
        assertEquals(d.momentum(), number(c, "momentum"), 0.0);
        assertEquals(d.batch(), ((Number) c.get("batch")).intValue());
        if (d.targetSparsity() > 0) {
            assertEquals(d.targetSparsity(), number(c, "target_sparsity"), 0.0);
            // the ramp is written only when it is not cubic
            assertEquals(d.targetRamp().equals("cubic") ? null : d.targetRamp(), c.get("target_ramp"));
        } else {
            assertFalse(c.containsKey("target_sparsity"), c.toString());
        }

        // any other penalty: the lambda of the same threshold at the model's beta
        for (String p : new String[] {"l1", "l0", "tl1"}) {
            Map<String, Object> other = config("--model", model, "--penalty", p);
            Penalty penalty = p.equals("l1") ? Penalty.l1() : p.equals("l0") ? Penalty.l0()
                    : Penalty.transformedL1(number(other, "a"));
            double t = penalty.threshold(number(other, "lambda") / d.beta());
            assertEquals(d.threshold(), t, 1e-12 * t, p);
            assertEquals(d.targetSparsity() > 0, other.containsKey("target_sparsity"), p);
        }
        assertEquals(d.penalty().equals("tl1") ? d.a() : 1.0, number(config("--model", model, "--penalty", "tl1"), "a"),
                0.0, "tl1's a: the model's when its default is tl1, else 1");

        // a given lambda decides alone; --target-sparsity 0 is off; baselines and group RVSM have no target
        for (String[] args : new String[][] {{"--lambda", "1e-4"}, {"--target-sparsity", "0"}, {"--method", "dense"},
                {"--method", "gradual"}, {"--group", "neuron", "--group-lambda", "1e-4"}}) {
            String[] all = new String[args.length + 2];
            all[0] = "--model";
            all[1] = model;
            System.arraycopy(args, 0, all, 2, args.length);
            assertFalse(config(all).containsKey("target_sparsity"), String.join(" ", all));
        }
        // a target given on the command line takes the option's own ramp (cubic) unless a ramp is given too
        Map<String, Object> given = config("--model", model, "--target-sparsity", "0.9");
        assertEquals(0.9, number(given, "target_sparsity"), 0.0);
        assertFalse(given.containsKey("target_ramp"), given.toString());
        assertEquals("final", config("--model", model, "--target-sparsity", "0.9", "--target-ramp", "final")
                .get("target_ramp"));
    }
}
