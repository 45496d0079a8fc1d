#!/usr/bin/env bash
# Writes docs/diagnostics.md: one real mistake per diagnostic id, each built as its own project (with
# UseModelDsl, as a consumer would) and shown with the exact error lines `dotnet build` prints.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# Under obj/ (ignored by git) so that the repository's Directory.Build.* and Directory.Packages.props apply.
work="$repo/obj/diagnostics-gallery"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
out=docs/diagnostics.md

# id|title|source (the body of Example.cs, after `using ModelDsl;`)
examples=(
"MDL0001|A stride that does not divide the input|[Model(Input = [1, 10, 10])]
public partial class Course
{
    [Conv2D(4, Kernel = 3, Stride = 2)] partial Layer C1 { get; }
}"
"MDL0002|A window larger than its input|[Model(Input = [1, 28, 28])]
public partial class TooDeep
{
    [Conv2D(6, Kernel = 5)] partial Layer C1 { get; }
    [MaxPool2D(2)] partial Layer P1 { get; }
    [Conv2D(16, Kernel = 5)] partial Layer C2 { get; }
    [MaxPool2D(2)] partial Layer P2 { get; }
    [Conv2D(120, Kernel = 5)] partial Layer C3 { get; }
}"
"MDL0003|A hyperparameter out of range|[Model(Input = [784])]
public partial class Mlp
{
    [Dense(128), ReLU] partial Layer Hidden { get; }
    [Dropout(1.0)] partial Layer Drop { get; }
    [Dense(10)] partial Layer Out { get; }
}"
"MDL0004|A misspelled layer name|[Model(Input = [3, 32, 32])]
public partial class Branches
{
    [Conv2D(16, Kernel = 3, Padding = 1), ReLU] partial Layer Stem { get; }
    [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer Branch { get; }
    [Add(nameof(Branch), \"Steam\")] partial Layer Sum { get; }
}"
"MDL0005|A layer that reads a later layer|[Model(Input = [3, 32, 32])]
public partial class Backwards
{
    [Conv2D(16, Kernel = 3, Padding = 1, From = nameof(C2))] partial Layer C1 { get; }
    [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer C2 { get; }
}"
"MDL0006|A residual block that changes channels and stride|[Model(Input = [64, 56, 56], Rounding = Rounding.Floor)]
public partial class Residual
{
    [Conv2D(64, Kernel = 1), ReLU] partial Layer Shortcut { get; }
    [Conv2D(128, Kernel = 3, Stride = 2, Padding = 1), ReLU] partial Layer Conv1 { get; }
    [Conv2D(128, Kernel = 3, Padding = 1)] partial Layer Conv2 { get; }
    [Add(nameof(Conv2), nameof(Shortcut)), ReLU] partial Layer Sum { get; }
}"
"MDL0007|Floor rounding that throws input away|[Model(Input = [1, 10, 10], Rounding = Rounding.Floor)]
public partial class Floored
{
    [Conv2D(4, Kernel = 3, Stride = 2)] partial Layer C1 { get; }
    [Flatten] partial Layer Flat { get; }
    [Dense(10)] partial Layer Out { get; }
}"
"MDL0008|A bias that batch norm cancels|[Model(Input = [3, 32, 32])]
public partial class Biased
{
    [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer C1 { get; }
    [BatchNorm, ReLU] partial Layer Bn1 { get; }
    [Flatten] partial Layer Flat { get; }
    [Dense(10)] partial Layer Out { get; }
}"
"MDL0009|An even kernel with Same padding|[Model(Input = [3, 32, 32])]
public partial class EvenSame
{
    [Conv2D(16, Kernel = 4, PaddingMode = PaddingMode.Same), ReLU] partial Layer C1 { get; }
    [Flatten] partial Layer Flat { get; }
    [Dense(10)] partial Layer Out { get; }
}"
"MDL0011|A softmax before a loss that applies one|[Model(Input = [784])]
public partial class Probabilities
{
    [Dense(128), ReLU] partial Layer Hidden { get; }
    [Dense(10), Softmax] partial Layer Out { get; }
}"
"MDL0012|Dropout after the last layer|[Model(Input = [784])]
public partial class DroppedOut
{
    [Dense(128), ReLU] partial Layer Hidden { get; }
    [Dense(10)] partial Layer Out { get; }
    [Dropout(0.5)] partial Layer Drop { get; }
}"
)

{
  echo "# Diagnostics gallery"
  echo
  echo "One real mistake per ModelDsl diagnostic and the errors \`dotnet build\` prints for it, verbatim"
  echo "(paths shortened to the file name). Each example is built as its own project; this page is"
  echo "written by \`scripts/diagnostics-gallery.sh\`, so the messages are the analyzers' own. The pages"
  echo "under [diagnostics/](diagnostics/README.md) explain each id and its fixes. MDL0010 is information,"
  echo "which \`dotnet build\` does not print; the IDE shows it."
  for example in "${examples[@]}"; do
    id=${example%%|*}
    rest=${example#*|}
    title=${rest%%|*}
    source=${rest#*|}
    dir="$work/$id"
    mkdir -p "$dir"
    cat > "$dir/Example.csproj" <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <UseModelDsl>true</UseModelDsl>
    <IsPackable>false</IsPackable>
    <!-- Warnings stay warnings here, as in a project without this repository's strict settings. -->
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
  </PropertyGroup>
</Project>
PROJ
    printf 'using ModelDsl;\n\n%s\n' "$source" > "$dir/Example.cs"
    log="$dir/build.log"
    dotnet build "$dir/Example.csproj" -c Release -nologo -clp:NoSummary > "$log" 2>&1 || true
    errors=$(grep -E ": (error|warning) MDL[0-9]{4}" "$log" | sed -E "s#^[^(]*/Example\.cs\(#Example.cs(#; s# \[/[^]]*\.csproj\]\$##" | awk '!seen[$0]++')
    if ! grep -q "$id" <<< "$errors"; then
      echo "scripts/diagnostics-gallery.sh: the $id example did not report $id; the build printed:" >&2
      cat "$log" >&2
      exit 1
    fi
    echo
    echo "## [$id](diagnostics/$id.md): $title"
    echo
    echo '```csharp'
    cat "$dir/Example.cs"
    echo '```'
    echo
    echo '```text'
    echo "$errors"
    echo '```'
  done
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
