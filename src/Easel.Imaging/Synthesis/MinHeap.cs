namespace Easel.Imaging.Synthesis;

// A binary min-heap of pixel indices keyed by float, with no per-item allocation.
// Ties break on the smaller index so the fill order, and therefore the output, is reproducible.
internal sealed class MinHeap(int capacity)
{
    private int[] _items = new int[Math.Max(capacity, 16)];
    private float[] _keys = new float[Math.Max(capacity, 16)];

    public int Count { get; private set; }

    public void Push(int item, float key)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
            Array.Resize(ref _keys, _keys.Length * 2);
        }

        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Less(key, item, _keys[parent], _items[parent]))
            {
                break;
            }

            _items[i] = _items[parent];
            _keys[i] = _keys[parent];
            i = parent;
        }

        _items[i] = item;
        _keys[i] = key;
    }

    public int Pop()
    {
        var top = _items[0];
        var last = --Count;
        var item = _items[last];
        var key = _keys[last];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= last)
            {
                break;
            }

            if (child + 1 < last && Less(_keys[child + 1], _items[child + 1], _keys[child], _items[child]))
            {
                child++;
            }

            if (!Less(_keys[child], _items[child], key, item))
            {
                break;
            }

            _items[i] = _items[child];
            _keys[i] = _keys[child];
            i = child;
        }

        _items[i] = item;
        _keys[i] = key;
        return top;
    }

    private static bool Less(float keyA, int itemA, float keyB, int itemB) => keyA < keyB || (keyA == keyB && itemA < itemB);
}
