// Test target for semgrep-rules/error_handling/typescript.yml (parsed only, never run).
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable } from '@nestjs/common';

// ruleid: vibeward.typescript.error_handling.nest-exception-filter
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse();
    res.status(500).json({ message: 'Internal server error' });
  }
}

// ok: vibeward.typescript.error_handling.nest-exception-filter
@Injectable()
export class OrdersService {}

async function bootstrap(app: any) {
  // ruleid: vibeward.typescript.error_handling.nest-exception-filter
  app.useGlobalFilters(new AllExceptionsFilter());
}
