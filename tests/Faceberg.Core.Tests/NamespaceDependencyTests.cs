using System.Reflection;
using System.Reflection.Emit;

namespace Faceberg.Core.Tests;

/// <summary>
/// Core's folders (namespaces) depend on each other in one direction only. Dependencies are read from the compiled
/// assembly: every type's base, interfaces, members' signatures, and every type, method and field its method bodies
/// name, so a fully qualified name or a parent namespace's implicit visibility cannot hide one.
/// </summary>
public sealed class NamespaceDependencyTests
{
    private static readonly Assembly Core = typeof(FacebergException).Assembly;

    [Fact]
    public void No_two_core_namespaces_depend_on_each_other()
    {
        var graph = DependencyGraph();
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        Assert.True(cycles.Count == 0, "Core namespaces depend on each other in a cycle: " + string.Join("; ", cycles.Select(c =>
            string.Join(", ", c.Order()) + " (" + string.Join(", ", c.SelectMany(from => graph[from].Where(c.Contains).Select(to => $"{Short(from)}→{Short(to)}")).Order()) + ")")));
    }

    [Fact]
    public void Method_bodies_count_and_a_cycle_is_found()
    {
        // TableChangeJson names SpecJson only inside its method bodies.
        Assert.Contains(typeof(Core.Iceberg.Spec.SpecJson), UsedTypes(typeof(Core.Iceberg.Table.TableChangeJson)));
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["a"] = ["b"], ["b"] = ["c"], ["c"] = ["a"], ["d"] = ["a"],
        };
        var cycle = Assert.Single(StronglyConnected(graph), c => c.Count > 1);
        Assert.Equal(["a", "b", "c"], cycle.Order());
    }

    private static string Short(string ns) => ns == "Faceberg.Core" ? "(root)" : ns["Faceberg.Core.".Length..];

    private static Dictionary<string, HashSet<string>> DependencyGraph()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in Core.GetTypes())
        {
            var from = NamespaceOf(type);
            if (from is null) continue;
            var edges = graph.TryGetValue(from, out var set) ? set : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var used in UsedTypes(type))
                foreach (var t in Expand(used))
                    if (NamespaceOf(t) is { } to && to != from)
                        edges.Add(to);
        }
        foreach (var to in graph.Values.SelectMany(v => v).ToList())
            graph.TryAdd(to, new HashSet<string>(StringComparer.Ordinal));
        return graph;
    }

    /// <summary>The namespace a Core type belongs to: nested and compiler-generated types count as their outermost declaring type's.</summary>
    private static string? NamespaceOf(Type type)
    {
        while (type.IsNested) type = type.DeclaringType!;
        return type.Assembly == Core && type.Namespace is { } ns && ns.StartsWith("Faceberg.Core", StringComparison.Ordinal) ? ns : null;
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()!)) yield return t;
            yield break;
        }
        if (type.IsGenericParameter) yield break;
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
            foreach (var arg in type.GetGenericArguments())
                foreach (var t in Expand(arg)) yield return t;
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        if (type.BaseType is { } b) yield return b;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var f in type.GetFields(All)) yield return f.FieldType;
        foreach (var p in type.GetProperties(All)) yield return p.PropertyType;
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) yield return mi.ReturnType;
            foreach (var p in m.GetParameters()) yield return p.ParameterType;
            foreach (var t in BodyTypes(m)) yield return t;
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types, methods' and fields' declaring types that a method body's IL names.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var found = new List<Type>();
        for (var i = 0; i < il.Length;)
        {
            var value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    try
                    {
                        switch (method.Module.ResolveMember(token, typeArgs, methodArgs))
                        {
                            case Type t: found.Add(t); break;
                            case MethodBase m:
                                if (m.DeclaringType is { } mt) found.Add(mt);
                                if (m is MethodInfo { IsGenericMethod: true } g) found.AddRange(g.GetGenericArguments());
                                break;
                            case FieldInfo f when f.DeclaringType is { } ft: found.Add(ft); break;
                        }
                    }
                    catch (ArgumentException) { }
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    i += 4;
                    break;
            }
        }
        foreach (var t in found) yield return t;
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<HashSet<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<HashSet<string>>();
        var next = 0;
        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph[v])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new HashSet<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            result.Add(component);
        }
        foreach (var v in graph.Keys.ToList())
            if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
