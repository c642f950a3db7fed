using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Storefront.Train;

/// <summary>
/// The vector instruction sets this process runs ML.NET's arithmetic with. ML.NET (and the runtime's vector code under
/// it) picks its code paths by them, so the same training run sums in another order, and rounds differently in the last
/// bits, on a CPU with another set (AVX-512 against AVX2, say). A model's scores are bit-for-bit reproducible only on a
/// machine whose <see cref="Current"/> equals the one recorded when it was trained.
/// </summary>
public static class InstructionSets
{
    /// <summary>The file that records, beside a model file, the instruction sets it was trained with.</summary>
    public static string RecordPath(string modelFile) => Path.ChangeExtension(modelFile, ".trained-on.txt");

    /// <summary>The architecture and the vector features in use, e.g. <c>X64 vector512 vector256 avx2 fma</c>.</summary>
    public static string Current { get; } = Describe();

    private static string Describe()
    {
        (bool Used, string Name)[] features =
        [
            (Vector512.IsHardwareAccelerated, "vector512"),
            (Vector256.IsHardwareAccelerated, "vector256"),
            (Vector128.IsHardwareAccelerated, "vector128"),
            (Avx2.IsSupported, "avx2"),
            (Fma.IsSupported, "fma"),
            (Sse41.IsSupported, "sse4.1"),
            (AdvSimd.IsSupported, "advsimd"),
        ];
        return string.Join(' ', features.Where(f => f.Used).Select(f => f.Name).Prepend(RuntimeInformation.ProcessArchitecture.ToString()));
    }
}
