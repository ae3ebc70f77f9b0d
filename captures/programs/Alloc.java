// A small JVM workload: allocates and drops lists so that the heap grows and collects.
import java.util.ArrayList;
import java.util.List;

public class Alloc {
  public static void main(String[] args) {
    long total = 0;
    for (int round = 0; round < 20; round++) {
      List<int[]> keep = new ArrayList<>();
      for (int i = 0; i < 2000; i++) keep.add(new int[256 + (i % 512)]);
      total += keep.size();
    }
    System.out.println(total);
  }
}
