using System.Runtime.CompilerServices;

// ILGPU emits its kernel launchers into a dynamic assembly; they must see the internal shape structs.
[assembly: InternalsVisibleTo(ILGPU.Context.RuntimeAssemblyName)]
