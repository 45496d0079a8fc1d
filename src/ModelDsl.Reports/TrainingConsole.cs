using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ModelDsl.Reports;

/// <summary>
/// Shows a training run on the console: on an interactive terminal, a live progress bar per epoch (batches
/// done, running loss and accuracy, images/s, time left), each finished epoch keeping its bar with its
/// results; otherwise (output redirected to a file or pipe, CI) the plain lines of <see cref="TrainingLog"/>.
/// <code>var result = TrainingConsole.Run(trainer, t => t.Fit(train, epochs: 5, batchSize: 64, validation: test));</code>
/// </summary>
/// <remarks>
/// The work runs on the calling thread. A training step only updates a few numbers under a lock; a
/// separate thread turns them into the display about five times a second, and Spectre.Console draws it on
/// its own thread. The callback is added to <see cref="Trainer.Callbacks"/> for the duration of the work
/// and removed afterwards, also when the work throws. While the live bars show, write other text through the
/// same <see cref="IAnsiConsole"/> (it goes above the bars); plain <c>Console.WriteLine</c> text is drawn over.
/// </remarks>
public static class TrainingConsole
{
    /// <summary>How often the live display takes the numbers from the training run.</summary>
    public static TimeSpan RefreshInterval { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Runs <paramref name="work"/> (typically <c>t =&gt; t.Fit(...)</c>) while showing its progress on <paramref name="console"/> (default: <see cref="AnsiConsole.Console"/>).</summary>
    /// <returns>What <paramref name="work"/> returned.</returns>
    public static T Run<T>(Trainer trainer, Func<Trainer, T> work, IAnsiConsole? console = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(work);
        console ??= AnsiConsole.Console;
        return IsLive(console)
            ? RunLive(trainer, work, console)
            : RunWith(trainer, new TrainingLog(console.Profile.Out.Writer), work);
    }

    /// <summary>Runs <paramref name="work"/> while showing its progress; see <see cref="Run{T}(Trainer, Func{Trainer, T}, IAnsiConsole?)"/>.</summary>
    public static void Run(Trainer trainer, Action<Trainer> work, IAnsiConsole? console = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run(trainer, t =>
        {
            work(t);
            return 0;
        }, console);
    }

    /// <summary>Runs <paramref name="work"/> with the plain lines of <see cref="TrainingLog"/> written to <paramref name="writer"/>, whatever the terminal.</summary>
    public static T Run<T>(Trainer trainer, Func<Trainer, T> work, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(work);
        return RunWith(trainer, new TrainingLog(writer), work);
    }

    /// <summary>Whether <see cref="Run{T}(Trainer, Func{Trainer, T}, IAnsiConsole?)"/> shows live bars on <paramref name="console"/>: it is interactive and understands ANSI sequences.</summary>
    public static bool IsLive(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        return console.Profile.Capabilities is { Interactive: true, Ansi: true };
    }

    private static T RunWith<T>(Trainer trainer, ITrainingCallback callback, Func<Trainer, T> work)
    {
        trainer.Callbacks.Add(callback);
        try
        {
            return work(trainer);
        }
        finally
        {
            trainer.Callbacks.Remove(callback);
        }
    }

    private static T RunLive<T>(Trainer trainer, Func<Trainer, T> work, IAnsiConsole console)
    {
        var monitor = new LiveMonitor();
        var statuses = new ConcurrentDictionary<int, string>();
        return RunWith(trainer, monitor, t => console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .AutoRefresh(true)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new StatusColumn(statuses))
            .Start(context =>
            {
                var pump = new Pump(context, monitor, statuses);
                T result;
                try
                {
                    result = work(t);
                }
                catch
                {
                    pump.Stop(reportFailure: false); // the work's exception is the one to see
                    throw;
                }
                pump.Stop(reportFailure: true);
                return result;
            }));
    }

    /// <summary>The numbers of the running fit, written by the training thread and read by the pump, under one lock.</summary>
    internal sealed class LiveMonitor : ITrainingCallback
    {
        private readonly Lock _gate = new();
        private readonly List<EpochReport> _finished = [];
        private EpochMeter _meter;
        private int _run;
        private int _epochs;
        private int _batches;
        private bool _inEpoch;

        public void OnFitStart(Trainer trainer, FitPlan plan)
        {
            lock (_gate)
            {
                _run++;
                _epochs = plan.Epochs;
                _batches = plan.BatchesPerEpoch;
                _finished.Clear();
                _inEpoch = false;
            }
        }

        public void OnEpochStart(Trainer trainer, int epoch)
        {
            var now = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                _meter.Start(epoch, Math.Max(_epochs, epoch), _batches, now);
                _inEpoch = true;
            }
        }

        public void OnBatchEnd(Trainer trainer, in BatchProgress progress)
        {
            var now = Stopwatch.GetTimestamp();
            lock (_gate) _meter.Add(progress, now);
        }

        public void OnEpochEnd(Trainer trainer, EpochReport report)
        {
            lock (_gate)
            {
                _finished.Add(report);
                _inEpoch = false;
            }
        }

        /// <summary>Copies the state: the run number, the current epoch (when one is running) and the reports from <paramref name="seen"/> on into <paramref name="reports"/>.</summary>
        public (int Run, EpochMeter Meter, bool InEpoch) Read(int run, int seen, List<EpochReport> reports)
        {
            lock (_gate)
            {
                for (var i = run == _run ? seen : 0; i < _finished.Count; i++) reports.Add(_finished[i]);
                return (_run, _meter, _inEpoch);
            }
        }
    }

    /// <summary>Turns the monitor's numbers into progress tasks on its own thread, until stopped (then once more).</summary>
    private sealed class Pump
    {
        private readonly ProgressContext _context;
        private readonly LiveMonitor _monitor;
        private readonly ConcurrentDictionary<int, string> _statuses;
        private readonly Dictionary<int, ProgressTask> _tasks = [];
        private readonly List<EpochReport> _reports = [];
        private readonly ManualResetEventSlim _stop = new();
        private readonly Thread _thread;
        private int _run;
        private int _seen;
        private Exception? _failure;

        public Pump(ProgressContext context, LiveMonitor monitor, ConcurrentDictionary<int, string> statuses)
        {
            _context = context;
            _monitor = monitor;
            _statuses = statuses;
            _thread = new Thread(Loop) { IsBackground = true, Name = "Training progress" };
            _thread.Start();
        }

        private void Loop()
        {
            try
            {
                while (!_stop.Wait(RefreshInterval)) Sync();
            }
            catch (Exception e)
            {
                _failure = e; // reported on the training thread by Stop
            }
        }

        /// <summary>Ends the thread and shows the final numbers; throws if the display failed and <paramref name="reportFailure"/>.</summary>
        public void Stop(bool reportFailure)
        {
            _stop.Set();
            _thread.Join();
            _stop.Dispose();
            if (_failure is not null)
            {
                if (reportFailure) throw new InvalidOperationException("The training progress display failed.", _failure);
                return;
            }
            Sync();
        }

        private void Sync()
        {
            _reports.Clear();
            var (run, meter, inEpoch) = _monitor.Read(_run, _seen, _reports);
            if (run != _run)
            {
                _run = run;
                _seen = 0;
                _tasks.Clear();
            }
            foreach (var report in _reports)
            {
                var task = TaskFor(report.Epoch, meter);
                // An epoch cut short by a stop request keeps the batches it did.
                task.Value = report.Epoch == meter.Epoch ? meter.Batch : task.MaxValue;
                _statuses[task.Id] = TrainingText.Finished(report);
                task.StopTask();
                _seen++;
            }
            if (inEpoch && meter.Epoch > 0)
            {
                var task = TaskFor(meter.Epoch, meter);
                task.Value = meter.Batch;
                var status = string.Create(CultureInfo.InvariantCulture, $"{meter.Batch:N0}/{meter.Batches:N0} batches, {meter.Describe()}");
                _statuses[task.Id] = meter.Batch == meter.Batches ? status + ", evaluating" : status;
            }
        }

        private ProgressTask TaskFor(int epoch, in EpochMeter meter)
        {
            if (_tasks.TryGetValue(epoch, out var task)) return task;
            var epochs = Math.Max(meter.Epochs, epoch);
            task = _context.AddTask(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch}/{epochs}"), maxValue: Math.Max(meter.Batches, 1));
            _tasks[epoch] = task;
            return task;
        }
    }

    /// <summary>The text the pump keeps for each task.</summary>
    private sealed class StatusColumn(ConcurrentDictionary<int, string> statuses) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(statuses.TryGetValue(task.Id, out var status) ? status : "", new Style(foreground: task.IsFinished ? Color.Grey : Color.Default));
    }
}
