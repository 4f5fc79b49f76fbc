using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text.RegularExpressions;

namespace Faceberg.Shell;

/// <summary>A non-interactive PowerShell host that writes everything to text writers, so
/// Out-Default renders objects with the module's format views as pwsh would.</summary>
public sealed class ShellHost : PSHost
{
    private readonly ShellHostUserInterface _ui;

    public ShellHost(TextWriter output, TextWriter error, int width, bool ansi)
    {
        _ui = new ShellHostUserInterface(output, error, width, ansi);
    }

    public override string Name => "Faceberg.Shell";
    public override Version Version => typeof(ShellHost).Assembly.GetName().Version ?? new Version(0, 1);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

    /// <summary>The code the script asked to exit with (exit N at the top level), if any.</summary>
    public int? ExitCode { get; private set; }

    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
    public override void EnterNestedPrompt() => throw new NotSupportedException("Faceberg.Shell is not interactive.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("Faceberg.Shell is not interactive.");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}

internal sealed partial class ShellHostUserInterface(TextWriter output, TextWriter error, int width, bool ansi) : PSHostUserInterface
{
    private readonly ShellRawUserInterface _raw = new(width);

    public override PSHostRawUserInterface RawUI => _raw;

    public override bool SupportsVirtualTerminal => ansi;

    public override void Write(string value) => output.Write(Render(value));
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => output.Write(Render(value));
    public override void WriteLine(string value) => output.WriteLine(Render(value));
    public override void WriteErrorLine(string value) => error.WriteLine(Render(value));
    public override void WriteDebugLine(string message) => output.WriteLine("DEBUG: " + Render(message));
    public override void WriteVerboseLine(string message) => output.WriteLine("VERBOSE: " + Render(message));
    public override void WriteWarningLine(string message) => output.WriteLine("WARNING: " + Render(message));

    // The formatter decorates table headers with colour escapes whatever $PSStyle.OutputRendering
    // says (a console host strips them itself), so plain output strips them here.
    private string Render(string value) => ansi ? value : Escapes().Replace(value, "");

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Escapes();

    // Progress bars belong to interactive consoles; a script's log only needs its end result.
    public override void WriteProgress(long sourceId, ProgressRecord record) { }

    public override string ReadLine() => throw NotInteractive();
    public override SecureString ReadLineAsSecureString() => throw NotInteractive();
    public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw NotInteractive();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NotInteractive();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NotInteractive();
    public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw NotInteractive();

    private static PSInvalidOperationException NotInteractive() =>
        new("Faceberg.Shell runs scripts non-interactively and cannot prompt; pass every mandatory parameter (and -Confirm:$false).");
}

internal sealed class ShellRawUserInterface(int width) : PSHostRawUserInterface
{
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override Size BufferSize { get => new(width, 9999); set { } }
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; }
    public override bool KeyAvailable => false;
    public override Size MaxPhysicalWindowSize => new(width, 9999);
    public override Size MaxWindowSize => new(width, 9999);
    public override Coordinates WindowPosition { get; set; }
    public override Size WindowSize { get => new(width, 50); set { } }
    public override string WindowTitle { get; set; } = "Faceberg.Shell";

    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("Faceberg.Shell is not interactive.");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
}
