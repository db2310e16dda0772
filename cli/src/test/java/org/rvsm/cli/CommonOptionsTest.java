package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command takes -q/--quiet and --help the same way: one option, one description, one meaning. */
class CommonOptionsTest {

    /** Every subcommand of rvsm, read from Main (a new command is covered without editing this test). */
    static Stream<String> commands() {
        List<String> names = new CommandLine(new Main()).getSubcommands().keySet().stream()
                .filter(name -> !name.equals("help")).toList();
        assertTrue(names.size() >= 8, "the subcommands: " + names);
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpListsQuietAndHelpTheSameWay(String command) {
        CliRun help = CliRun.of(command, "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("-q, --quiet"), command + " --help lacks -q, --quiet:\n" + help.out());
        assertTrue(help.out().contains("-h, --help"), command + " --help lacks -h, --help:\n" + help.out());
        assertTrue(help.out().contains("No progress bar on stderr"), command + ": the shared description");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void quietIsTheSharedOption(String command) {
        CommandLine.Model.CommandSpec spec = new CommandLine(new Main()).getSubcommands().get(command).getCommandSpec();
        CommandLine.Model.OptionSpec quiet = spec.findOption("--quiet");
        assertNotNull(quiet, command);
        assertSame(quiet, spec.findOption("-q"), command);
        assertEquals(List.of(CommonOptions.QUIET), List.of(quiet.description()), command);
        assertTrue(spec.mixins().values().stream().anyMatch(m -> m.userObject() instanceof CommonOptions),
                command + " mixes in CommonOptions");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void quietIsAcceptedWithHelp(String command) {
        CliRun r = CliRun.of(command, "-q", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Usage: rvsm " + command), r.out());
    }
}
