package org.rvsm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import org.rvsm.nn.ConvBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code rvsm} command line: the only place that parses arguments, prints and exits.
 * Exit codes: {@link ExitCode}. Every command takes {@link CommonOptions} and picocli's --help and
 * --version.
 */
@Command(name = "rvsm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Sparse learning with the relaxed variable splitting method (RVSM) of Dinh & Xin",
            "(arXiv 1812.05719) under l1, l0 and transformed-l1 penalties.",
            "",
            "RVSM minimises L_beta(w,u) = loss(w) + lambda P(u) + beta/2 |w-u|^2 by alternating a",
            "gradient step on w with the closed-form thresholding u = T_{lambda/beta}(w).",
            "u is the sparse model; w the dense training variable.",
            ""},
        subcommands = {TeacherStudentCommand.class, ReproduceCommand.class, TrainCommand.class, SweepCommand.class,
            EvaluateCommand.class, ExportCommand.class, InferCommand.class, BenchInferCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"",
            "Start with:  rvsm reproduce --quick --out reports/quick",
            "Then:        rvsm teacher-student --penalty tl1 --a 1 --lambda 0.005 --out runs/one",
            "Networks:    rvsm train --model lenet300 --out runs/l300  (apt-get install dataset-fashion-mnist)",
            "             rvsm export --model runs/l300/model.safetensors --out runs/l300-export",
            "             rvsm bench-infer --model runs/l300/model.safetensors --json runs/infer.json",
            "Each command has its own --help.",
            "",
            "Exit codes: 0 done, 1 unexpected failure (a bug), 2 bad input (one line on stderr names the option",
            "and the value; nothing earlier is overwritten), 3 training diverged (NaN or infinite loss or",
            "weights), 4 a sweep ended with failed points (rerun the same command to run only those).",
            "Outputs go to new or empty directories; --force replaces an earlier output of the same command only."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static {
        // never download anything at run time (models, engines, datasets)
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI and returns the exit code (the testable entry point). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setUsageHelpWidth(100);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("rvsm: " + oneLine(e.getMessage()) + " (see 'rvsm "
                    + commandPath(e.getCommandLine()) + "--help')");
            return ExitCode.BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            if (cause instanceof UserError) {
                err.println("rvsm: " + oneLine(cause.getMessage()));
                return ExitCode.BAD_INPUT;
            }
            err.println("rvsm: unexpected failure: " + cause);
            if (System.getenv("RVSM_DEBUG") != null) {
                cause.printStackTrace(err);
            } else {
                err.println("rvsm: set RVSM_DEBUG=1 for the stack trace; earlier results were left in place");
            }
            return ExitCode.BUG;
        });
        try {
            ConvBackend.requested(); // a bad RVSM_CONV is bad input, refused before any work
        } catch (IllegalArgumentException e) {
            err.println("rvsm: " + oneLine(e.getMessage()));
            return ExitCode.BAD_INPUT;
        }
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static String commandPath(CommandLine commandLine) {
        StringBuilder path = new StringBuilder();
        for (CommandLine c = commandLine; c != null && c.getParent() != null; c = c.getParent()) {
            path.insert(0, c.getCommandName() + " ");
        }
        return path.toString();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** The project version, from the build. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    /** picocli's --version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"rvsm " + version(), "Java " + System.getProperty("java.version")};
        }
    }
}
