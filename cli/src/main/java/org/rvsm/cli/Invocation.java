package org.rvsm.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** What was run: the exact command line and the version, recorded in every output. */
record Invocation(String command, String version) {

    static Invocation of(CommandLine.Model.CommandSpec spec) {
        List<String> args = spec.commandLine().getParseResult() == null ? List.of()
                : rootArgs(spec.commandLine());
        StringBuilder sb = new StringBuilder("./rvsm");
        for (String arg : args) {
            sb.append(' ').append(quote(arg));
        }
        return new Invocation(sb.toString(), Main.version());
    }

    private static List<String> rootArgs(CommandLine commandLine) {
        CommandLine root = commandLine;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return root.getParseResult().originalArgs();
    }

    private static String quote(String arg) {
        return arg.matches("[A-Za-z0-9_./=:,+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = Output.object();
        m.put("command", command);
        m.put("version", version);
        m.put("java", System.getProperty("java.version"));
        return m;
    }
}
